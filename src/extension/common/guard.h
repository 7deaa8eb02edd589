// guard.h -- the boundary between C++ and PostgreSQL errors.
//
// PostgreSQL's ereport(ERROR) longjmps: it must never cross a C++ frame that
// owns an object with a destructor. A C++ exception must never unwind
// through PostgreSQL frames. The extension keeps the two apart by how its
// files are cut, not by care at each call:
//
//  * Glue files -- every .cpp of src/extension except *_bridge.cpp -- call
//    PostgreSQL and are C-style: plain structs and palloc'd memory, no try,
//    no throw. They cannot even name a std::string or a container: no glue
//    file includes, directly or through the project's headers, a standard
//    header that declares one, nor nlohmann/json (which throws)
//    (scripts/check-boundary.sh, run by `make`, fails the build otherwise). Structs handed across the boundary are
//    checked plain (POTHOS_PLAIN).
//  * Bridge files (*_bridge.cpp) hold the C++ work. Each function a bridge
//    offers is noexcept, declared in a *_bridge.h with plain data in and out
//    (C strings and arrays in palloc'd memory, plain structs), and runs its
//    core calls inside cpp_call(), which catches every exception. A bridge
//    calls no PostgreSQL function that may raise an error: its palloc'd
//    results come from palloc_copy.h, whose allocation never ereports (out of
//    memory becomes std::bad_alloc, caught like any other exception). A
//    bridge function that fails returns false with the message in a
//    CppError, and the glue raises it (POTHOS_RAISE_CPP_ERROR) in its own
//    frame, where no C++ object is alive.
//  * Core code the glue calls directly (the shared-memory tables and rings,
//    the N+1 detector, hashing) cannot throw and is declared noexcept.
//  * PostgreSQL calls back into the extension only through C-style
//    functions that throw nothing: the hooks (their per-statement path has no
//    try/catch and needs none), the planner hooks of hypothetical indexes,
//    and the index advisor's cost oracle, which core code calls and which
//    catches PostgreSQL errors itself, below the C++ frames, with
//    subxact_try's `keep` (subxact.h).
//  * Every SQL-callable function is defined with POTHOS_SQL_FUNCTION: its
//    body runs inside cpp_call, so that a C++ exception that would escape it
//    despite the above becomes an ERROR raised after the catch, once the C++
//    frames are gone. PostgreSQL errors raised in the body longjmp past that
//    catch, which owns nothing to destroy.
#pragma once

#include <cstring>
#include <exception>
#include <new>
#include <type_traits>

namespace pothos::ext {

struct CppError {
    char message[256];
    bool out_of_memory;
};

template <typename F>
bool cpp_call(CppError* err, F&& fn) noexcept {
    err->out_of_memory = false;
    try {
        fn();
        return true;
    } catch (const std::bad_alloc&) {
        std::strncpy(err->message, "out of memory in pothos_perf", sizeof err->message - 1);
        err->out_of_memory = true;
    } catch (const std::exception& e) {
        std::strncpy(err->message, e.what(), sizeof err->message - 1);
    } catch (...) {
        std::strncpy(err->message, "unknown C++ exception in pothos_perf", sizeof err->message - 1);
    }
    err->message[sizeof err->message - 1] = '\0';
    return false;
}

}  // namespace pothos::ext

// A struct that crosses the boundary (bridge results, copies of shared
// memory kept across PostgreSQL calls) must be plain: nothing to destroy
// when an error longjmps past it.
#define POTHOS_PLAIN(T)                                                                     \
    static_assert(std::is_trivially_destructible_v<T> && std::is_trivially_copyable_v<T>, \
                  #T " crosses the C++/PostgreSQL boundary: it must be plain data")

// Raise the error captured by cpp_call as a PostgreSQL ERROR.
#define POTHOS_RAISE_CPP_ERROR(err)                                                                 \
    ereport(ERROR, (errcode((err).out_of_memory ? ERRCODE_OUT_OF_MEMORY : ERRCODE_INTERNAL_ERROR), \
                    errmsg("pothos_perf: %s", (err).message)))

// Defines the SQL-callable function `name` (exported with its info record,
// as PG_FUNCTION_INFO_V1 does); the braces that follow are its body, with
// fcinfo in scope:
//     POTHOS_SQL_FUNCTION(pothos_perf_reset) { ... return (Datum) 0; }
// A C++ exception caught here may have left PG_TRY blocks or error context
// callbacks of the body's frames registered: both stacks are put back as
// they were on entry (what PG_CATCH does) before the error is raised.
#define POTHOS_SQL_FUNCTION(name)                                                                   \
    static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo);                             \
    extern "C" {                                                                                    \
    PG_FUNCTION_INFO_V1(name);                                                                      \
    }                                                                                               \
    extern "C" Datum name(PG_FUNCTION_ARGS) {                                                       \
        sigjmp_buf* pothos_exception_stack_ = PG_exception_stack;                                   \
        ErrorContextCallback* pothos_context_stack_ = error_context_stack;                          \
        ::pothos::ext::CppError pothos_error_;                                                      \
        Datum pothos_result_ = (Datum) 0;                                                           \
        if (::pothos::ext::cpp_call(&pothos_error_, [&] { pothos_result_ = name##_body(fcinfo); })) \
            return pothos_result_;                                                                  \
        PG_exception_stack = pothos_exception_stack_;                                               \
        error_context_stack = pothos_context_stack_;                                                \
        POTHOS_RAISE_CPP_ERROR(pothos_error_);                                                      \
        return (Datum) 0;                                                                           \
    }                                                                                               \
    static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo)
