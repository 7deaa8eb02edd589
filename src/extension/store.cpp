// store.cpp -- see store.h.
#include "extension/pg.h"

extern "C" {
#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/queryjumble.h"
#include "utils/timestamp.h"
}

#include "core/normalize.h"
#include "extension/guc.h"
#include "extension/persist.h"
#include "extension/store.h"
#include "core/hot.h"

namespace pothos::ext {

using core::StatEntry;
using core::StatKey;
using core::StatTable;

namespace {

struct SharedHeader {
    LWLock* lock;
};

SharedHeader* g_shared = nullptr;
StatTable g_table;

// Per-backend cache of keys known to have an entry, valid while the table's
// generation (bumped by every removal) is unchanged.
constexpr int kKnownSlots = 256;
struct Known {
    StatKey key;
    uint64 generation;
    bool valid;
};
Known g_known[kKnownSlots];

const char kShmemName[] = "pothos_perf statements";
const char kTrancheName[] = "pothos_perf";

Size shmem_size() {
    return MAXALIGN(sizeof(SharedHeader)) +
           StatTable::required_bytes(static_cast<uint32_t>(guc_max_statements),
                                     static_cast<uint32_t>(guc_max_query_text));
}

slock_t* entry_lock(StatEntry* e) { return reinterpret_cast<slock_t*>(&e->lock_word); }

uint64 current_generation() {
    return __atomic_load_n(&g_table.header().generation, __ATOMIC_RELAXED);
}

// Cut text to the statement and to the store's text capacity, at a
// character boundary. No allocation, no error.
const char* clip_text(StmtText t, int* out_len) {
    int loc = t.location, len = t.length;
    const char* s = t.source ? CleanQuerytext(t.source, &loc, &len) : "";
    if (!t.source) len = 0;
    size_t keep_from = 0, keep_len = 0;
    core::trim_tag_comments(s, (size_t) len, &keep_from, &keep_len);
    s += keep_from;
    len = (int) keep_len;
    int cap = static_cast<int>(g_table.header().text_cap);
    if (len > cap) len = pg_mbcliplen(s, len, cap);
    *out_len = len;
    return s;
}

// The first execution of a statement: its entry is created under the
// exclusive lock (kept held for the caller), which the shared lock held on
// entry is given up for.
POTHOS_COLD int32 create_entry(const StatKey& key, StmtText text, int64 now) {
    LWLockRelease(g_shared->lock);
    int len = 0;
    const char* s = clip_text(text, &len);
    LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
    int32 slot = g_table.find(key);
    if (slot < 0) {
        slot = g_table.insert(key, s, static_cast<size_t>(len), now);
        SpinLockInit(entry_lock(g_table.entry(slot)));
    }
    return slot;
}

// Returns the slot of key with the lock held in shared (found) or exclusive
// (created) mode; the caller releases it.
POTHOS_HOT inline int32 find_or_create(const StatKey& key, StmtText text, int64 now) {
    LWLockAcquire(g_shared->lock, LW_SHARED);
    int32 slot = g_table.find(key);
    if (POTHOS_LIKELY(slot >= 0)) return slot;
    return create_entry(key, text, now);
}

}  // namespace

void store_shmem_request() {
    RequestAddinShmemSpace(shmem_size());
    RequestNamedLWLockTranche(kTrancheName, 1);
}

static void store_shmem_exit(int code, Datum) {
    // Only a clean shutdown of the postmaster writes the file; after a crash
    // the statistics are gone (see README).
    if (code != 0 || !g_shared || !guc_save) return;
    persist_save(g_table);
}

void store_shmem_startup() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    void* mem = ShmemInitStruct(kShmemName, shmem_size(), &found);
    g_shared = static_cast<SharedHeader*>(mem);
    void* table_mem = static_cast<char*>(mem) + MAXALIGN(sizeof(SharedHeader));
    if (!found) {
        g_shared->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
        g_table = StatTable::create(table_mem, static_cast<uint32_t>(guc_max_statements),
                                    static_cast<uint32_t>(guc_max_query_text), GetCurrentTimestamp());
    } else {
        g_table = StatTable::attach(table_mem);
    }
    LWLockRelease(AddinShmemInitLock);
    g_store_ready = g_table.valid();

    if (!IsUnderPostmaster) {
        on_shmem_exit(store_shmem_exit, (Datum) 0);
        if (!found) {
            persist_load(g_table);
            // Entries loaded from the file get their spinlocks initialised.
            for (uint32 s = 0; s < g_table.capacity(); s++)
                if (g_table.in_use(static_cast<int32>(s)))
                    SpinLockInit(entry_lock(g_table.entry(static_cast<int32>(s))));
        }
    }
}

bool g_store_ready = false;
StatTable& store_table() { return g_table; }
LWLock* store_lock() { return g_shared->lock; }

POTHOS_HOT void store_exec(const StatKey& key, StmtText text, double ms, int64 rows, const core::IoUsage& io,
                           TimestampTz start) {
    if (!store_ready()) return;
    int64 now = start;
    bool slow = guc_slow_query_threshold_ms >= 0 && ms >= guc_slow_query_threshold_ms;
    int32 slot = find_or_create(key, text, now);
    StatEntry* e = g_table.entry(slot);
    SpinLockAcquire(entry_lock(e));
    e->counters.add_exec(ms, rows, io, slow, now);
    StatTable::touch(e);
    SpinLockRelease(entry_lock(e));
    LWLockRelease(g_shared->lock);
}

void store_plan(const StatKey& key, StmtText text, double ms, const core::IoUsage& io) {
    if (!store_ready()) return;
    int64 now = GetCurrentStatementStartTimestamp();
    int32 slot = find_or_create(key, text, now);
    StatEntry* e = g_table.entry(slot);
    SpinLockAcquire(entry_lock(e));
    e->counters.add_plan(ms, io, now);
    SpinLockRelease(entry_lock(e));
    LWLockRelease(g_shared->lock);
}

void store_error(const StatKey& key, StmtText text) {
    if (!store_ready()) return;
    int64 now = GetCurrentStatementStartTimestamp();
    int32 slot = find_or_create(key, text, now);
    StatEntry* e = g_table.entry(slot);
    SpinLockAcquire(entry_lock(e));
    e->counters.add_error(now);
    StatTable::touch(e);
    SpinLockRelease(entry_lock(e));
    LWLockRelease(g_shared->lock);
}

POTHOS_HOT bool store_has(const StatKey& key) {
    if (!store_ready()) return false;
    Known& k = g_known[core::hash_key(key) % kKnownSlots];
    if (k.valid && k.key == key && k.generation == current_generation()) return true;
    LWLockAcquire(g_shared->lock, LW_SHARED);
    bool found = g_table.find(key) >= 0;
    uint64 gen = g_table.header().generation;
    LWLockRelease(g_shared->lock);
    if (found) {
        k.key = key;
        k.generation = gen;
        k.valid = true;
    }
    return found;
}

void store_add_normalized(const StatKey& key, const char* text, int len) {
    if (!store_ready()) return;
    int64 now = GetCurrentStatementStartTimestamp();
    LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
    if (g_table.find(key) < 0) {
        int32 slot = g_table.insert(key, text, static_cast<size_t>(len), now);
        SpinLockInit(entry_lock(g_table.entry(slot)));
    }
    LWLockRelease(g_shared->lock);
}

}  // namespace pothos::ext
