// palloc_copy.h -- copying C++ results into palloc'd memory from inside
// cpp_call (guard.h): the allocation never ereports (MCXT_ALLOC_NO_OOM); an
// out-of-memory becomes std::bad_alloc, which cpp_call turns into an error
// raised after the C++ frames are gone.
#pragma once

#include "extension/common/pg.h"

#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace pothos::ext {

inline char* palloc_copy(const char* s, size_t n) {
    char* p = static_cast<char*>(palloc_extended(n + 1, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE));
    if (p == nullptr) throw std::bad_alloc();
    if (n) std::memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

inline char* palloc_copy(const std::string& s) { return palloc_copy(s.data(), s.size()); }

// A NULL-terminated array of palloc'd copies.
inline char** palloc_copy(const std::vector<std::string>& v) {
    char** a = static_cast<char**>(
        palloc_extended(sizeof(char*) * (v.size() + 1), MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE));
    if (a == nullptr) throw std::bad_alloc();
    for (size_t i = 0; i < v.size(); i++) a[i] = palloc_copy(v[i]);
    a[v.size()] = nullptr;
    return a;
}

}  // namespace pothos::ext
