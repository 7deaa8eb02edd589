// subxact.cpp -- see subxact.h.
#include "extension/common/pg.h"

extern "C" {
#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
}

#include "extension/common/subxact.h"

namespace pothos::ext {

namespace {

// Errors no caller may swallow: the user or the server wants the backend to
// stop what it is doing.
bool must_propagate(const ErrorData* ed) {
    return ed->sqlerrcode == ERRCODE_QUERY_CANCELED || ed->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
           ed->elevel > ERROR;
}

}  // namespace

bool subxact_try(void (*fn)(void*), void* arg, ErrorData** keep, int flags) {
    Assert(keep == NULL || !(flags & SUBXACT_RAISE));
    MemoryContext cxt = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    volatile bool open = false;
    volatile bool ok = true;
    PG_TRY();
    {
        BeginInternalSubTransaction(NULL);
        open = true;
        MemoryContextSwitchTo(cxt);
        fn(arg);
        if (flags & SUBXACT_ROLLBACK)
            RollbackAndReleaseCurrentSubTransaction();
        else
            ReleaseCurrentSubTransaction();
        open = false;
        MemoryContextSwitchTo(cxt);
        CurrentResourceOwner = owner;
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(cxt);
        ErrorData* ed = CopyErrorData();
        FlushErrorState();
        if (open) RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(cxt);
        CurrentResourceOwner = owner;
        bool serious = must_propagate(ed);
        if ((serious && keep == NULL) || (flags & SUBXACT_RAISE)) ReThrowError(ed);
        if (serious && *keep == NULL)
            *keep = ed;
        else
            FreeErrorData(ed);
        ok = false;
    }
    PG_END_TRY();
    return ok;
}

}  // namespace pothos::ext
