// subxact.cpp -- see subxact.h.
#include "extension/common/pg.h"

extern "C" {
#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
}

#include "extension/common/subxact.h"

namespace pothos::ext {

bool subxact_try(void (*fn)(void*), void* arg, ErrorData** keep) {
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
        bool serious = ed->sqlerrcode == ERRCODE_QUERY_CANCELED || ed->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
                       ed->elevel > ERROR;
        if (serious && keep == NULL) ReThrowError(ed);
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
