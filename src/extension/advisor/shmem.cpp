// advisor/shmem.cpp -- see advisor/shmem.h.
#include "extension/common/pg.h"

extern "C" {
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

#include "extension/advisor/guc.h"
#include "extension/advisor/shmem.h"

namespace pothos::ext {

using core::advisor::PredEntry;
using core::advisor::PredTable;

namespace {

struct AdvisorShared {
    LWLock* lock;
    // Rows of the last recommend_indexes() result plus one; 0: never run.
    pg_atomic_uint64 last_recommendations;
    // the PredTable block follows
};

AdvisorShared* shared = nullptr;
PredTable table;
POTHOS_PLAIN(PredTable);

const char kShmemName[] = "pothos_perf advisor";
const char kTrancheName[] = "pothos_perf_advisor";

size_t shared_size() {
    return MAXALIGN(sizeof(AdvisorShared)) + PredTable::required_bytes((uint32) advisor_guc_max_predicates);
}

}  // namespace

void advisor_shmem_request() {
    if (advisor_guc_max_predicates <= 0) return;  // collection off
    RequestAddinShmemSpace(shared_size());
    RequestNamedLWLockTranche(kTrancheName, 1);
}

void advisor_shmem_startup() {
    if (advisor_guc_max_predicates <= 0) return;
    bool found;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    shared = (AdvisorShared*) ShmemInitStruct(kShmemName, shared_size(), &found);
    void* block = (char*) shared + MAXALIGN(sizeof(AdvisorShared));
    if (!found) {
        shared->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
        pg_atomic_init_u64(&shared->last_recommendations, 0);
        table = PredTable::create(block, (uint32) advisor_guc_max_predicates);
    } else {
        table = PredTable::attach(block);
    }
    LWLockRelease(AddinShmemInitLock);
}

bool advisor_ready() { return shared != nullptr && table.valid(); }

void advisor_record(const AdvisorUse* uses, int n) {
    if (n <= 0 || !advisor_ready()) return;
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    for (int i = 0; i < n; i++) table.record(uses[i].key, uses[i].returned, uses[i].filtered, uses[i].index_cond);
    LWLockRelease(shared->lock);
}

PredEntry* advisor_snapshot(Oid dbid, uint32* n) {
    *n = 0;
    if (!advisor_ready()) return NULL;
    LWLockAcquire(shared->lock, LW_SHARED);
    uint32 cap = table.capacity();
    PredEntry* copy = (PredEntry*) palloc_extended(sizeof(PredEntry) * (cap + 1), MCXT_ALLOC_HUGE);
    for (uint32 i = 0; i < cap; i++)
        if (table.in_use(i) && table.slot(i)->key.dbid == dbid) copy[(*n)++] = *table.slot(i);
    LWLockRelease(shared->lock);
    return copy;
}

AdvisorInfo advisor_info() {
    AdvisorInfo info = {0, 0, 0, 0};
    if (!advisor_ready()) return info;
    LWLockAcquire(shared->lock, LW_SHARED);
    const core::advisor::PredTableHeader& h = table.header();
    info.capacity = h.capacity;
    info.evictions = (int64) h.evictions;
    info.updates = (int64) h.updates;
    for (uint32 i = 0; i < table.capacity(); i++) info.entries += table.in_use(i) ? 1 : 0;
    LWLockRelease(shared->lock);
    return info;
}

void advisor_reset(Oid dbid) {
    if (!advisor_ready()) return;
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    table.clear(dbid);
    LWLockRelease(shared->lock);
}

void advisor_note_recommendations(int64 n) {
    if (shared != nullptr) pg_atomic_write_u64(&shared->last_recommendations, (uint64) n + 1);
}

bool advisor_last_recommendations(int64* n) {
    if (shared == nullptr) return false;
    uint64 v = pg_atomic_read_u64(&shared->last_recommendations);
    if (v == 0) return false;
    *n = (int64) (v - 1);
    return true;
}

}  // namespace pothos::ext
