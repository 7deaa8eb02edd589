// subxact.h -- the one way the extension runs PostgreSQL work that may fail
// and carries on after it: fn in an internal subtransaction, rolled back on
// an error, with the caller's memory context and resource owner restored.
//
// What an error becomes:
//  * a query cancel, a shutdown request or an error above ERROR always
//    propagates -- re-thrown at once, or, when the caller passes `keep`,
//    kept in *keep (the first one) for the caller to re-throw with
//    ReThrowError once no C++ frame is alive. Pass `keep` exactly when a
//    C++ frame is below (a callback of core code): a longjmp must never
//    cross it (guard.h);
//  * any other ERROR returns false, or, with SUBXACT_RAISE, is re-thrown
//    after the rollback.
// C-style glue helper: call it with no C++ object alive in the calling frame.
#pragma once

#include "extension/common/pg.h"

namespace pothos::ext {

enum SubxactFlags {
    // The subtransaction is rolled back also when fn succeeds: nothing it did
    // stays (a statement run only to be measured).
    SUBXACT_ROLLBACK = 1 << 0,
    // An ordinary error is raised again after the rollback (never with keep).
    SUBXACT_RAISE = 1 << 1,
};

// Runs fn(arg) in a subtransaction; true when it returned normally.
bool subxact_try(void (*fn)(void*), void* arg, ErrorData** keep, int flags = 0);

}  // namespace pothos::ext
