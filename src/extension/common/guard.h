// guard.h -- the boundary between C++ and PostgreSQL errors.
//
// PostgreSQL's ereport(ERROR) longjmps: it must never cross a C++ frame that
// owns an object with a destructor. C++ exceptions must never unwind through
// PostgreSQL frames. So:
//  * C++ code that may throw (anything allocating with new, std containers,
//    core code) runs inside cpp_call(), which catches every exception and
//    returns false with the message copied into a plain buffer; the caller
//    then raises the PostgreSQL error in a frame with no live C++ objects
//    (POTHOS_RAISE_CPP_ERROR).
//  * Glue code that calls PostgreSQL functions which may ereport keeps no
//    object with a destructor alive: it is written in C style (plain structs,
//    palloc'd memory).
#pragma once

#include <cstring>
#include <exception>
#include <new>

namespace pothos::ext {

struct CppError {
    char message[256];
};

template <typename F>
bool cpp_call(CppError* err, F&& fn) noexcept {
    try {
        fn();
        return true;
    } catch (const std::bad_alloc&) {
        std::strncpy(err->message, "out of memory in pothos_perf", sizeof err->message - 1);
    } catch (const std::exception& e) {
        std::strncpy(err->message, e.what(), sizeof err->message - 1);
    } catch (...) {
        std::strncpy(err->message, "unknown C++ exception in pothos_perf", sizeof err->message - 1);
    }
    err->message[sizeof err->message - 1] = '\0';
    return false;
}

}  // namespace pothos::ext

// Raise the error captured by cpp_call as a PostgreSQL ERROR.
#define POTHOS_RAISE_CPP_ERROR(err) \
    ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("pothos_perf: %s", (err).message)))
