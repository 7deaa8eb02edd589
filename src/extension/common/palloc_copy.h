// palloc_copy.h -- how bridge files (guard.h) hand C++ results to the glue:
// copies in palloc'd memory of the current context. The allocation never
// ereports (MCXT_ALLOC_NO_OOM, sizes checked first): out of memory or an
// impossible size becomes std::bad_alloc, which the bridge's cpp_call turns
// into an error the glue raises once the C++ frames are gone.
// Bridge files only: it declares std::string and std::vector.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "utils/memutils.h"
}

#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace pothos::ext {

inline void* palloc_or_throw(size_t bytes) {
    if (bytes > MaxAllocHugeSize) throw std::bad_alloc();
    void* p = palloc_extended(bytes, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

// An uninitialised array of n T (plain data).
template <typename T>
T* palloc_items(size_t n) {
    if (n > MaxAllocHugeSize / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(palloc_or_throw(sizeof(T) * n));
}

inline char* palloc_copy(const char* s, size_t n) {
    char* p = palloc_items<char>(n + 1);
    if (n) std::memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

inline char* palloc_copy(const std::string& s) { return palloc_copy(s.data(), s.size()); }

// A NULL-terminated array of palloc'd copies.
inline char** palloc_copy(const std::vector<std::string>& v) {
    char** a = palloc_items<char*>(v.size() + 1);
    for (size_t i = 0; i < v.size(); i++) a[i] = palloc_copy(v[i]);
    a[v.size()] = nullptr;
    return a;
}

}  // namespace pothos::ext
