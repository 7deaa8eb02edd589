// subxact.h -- run a piece of PostgreSQL work that may fail in a
// subtransaction, and carry on when it does (C-style glue helper).
#pragma once

#include "extension/common/pg.h"

namespace pothos::ext {

// Runs fn(arg) in an internal subtransaction and releases it; on an error
// rolls it back and returns false, with the memory context and resource
// owner of the caller restored.
// keep == NULL: a query cancel, a shutdown request or an error above ERROR is
//   re-thrown (the caller must be a C-style frame).
// keep != NULL: nothing is ever re-thrown -- safe to call below C++ frames;
//   the first such error is stored in *keep (when *keep is NULL) for the
//   caller to re-throw with ReThrowError once no C++ frame is alive.
bool subxact_try(void (*fn)(void*), void* arg, ErrorData** keep);

}  // namespace pothos::ext
