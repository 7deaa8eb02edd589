// store.cpp -- see store.h.
#include "extension/common/pg.h"

extern "C" {
#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/queryjumble.h"
#include "utils/timestamp.h"
}

#include <cstdlib>

#include "core/stats/normalize.h"
#include "extension/security/scrub_bridge.h"
#include "extension/slow/guc.h"
#include "extension/stats/guc.h"
#include "extension/stats/persist.h"
#include "extension/stats/store.h"
#include "extension/stats/text_encoding.h"
#include "core/common/hot.h"

namespace pothos::ext {

using core::StatEntry;
using core::StatKey;
using core::StatTable;

namespace {

// Padded to a cache line, so that the table's entries start on one.
struct alignas(64) SharedHeader {
    LWLock* lock;
};

SharedHeader* g_shared = nullptr;
StatTable g_table;
POTHOS_PLAIN(StatTable);

// Per-backend cache of the keys this backend has recorded: the slot each
// had, and the table's generation (bumped by every removal) then.
// store_has trusts a record while the generation is unchanged; store_exec
// trusts its slot only after locking the entry and finding the key there
// (StatTable::holds), so it needs no table lock.
constexpr int kKnownSlots = 256;
struct Known {
    StatKey key;
    uint64 generation;
    int32 slot;  // -1: no record
};
Known g_known[kKnownSlots];

Known& known_of(const StatKey& key) { return g_known[core::hash_key(key) % kKnownSlots]; }

// Called with the table lock held (its generation cannot change).
void remember(Known& k, const StatKey& key, int32 slot) {
    k.key = key;
    k.generation = g_table.header().generation;
    k.slot = slot;
}

const char kShmemName[] = "pothos_perf statements";
const char kTrancheName[] = "pothos_perf";

Size shmem_size() {
    return sizeof(SharedHeader) +
           StatTable::required_bytes(static_cast<uint32_t>(stats_guc_max_statements),
                                     static_cast<uint32_t>(stats_guc_max_query_text));
}

slock_t* entry_lock(StatEntry* e) { return reinterpret_cast<slock_t*>(&e->lock_word); }

// The entry lock StatTable's insert and remove take.
void lock_entry(StatEntry* e) { SpinLockAcquire(entry_lock(e)); }
void unlock_entry(StatEntry* e) { SpinLockRelease(entry_lock(e)); }

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

// A text that reaches the store without having been normalized at parse
// time (utility statements, statements parsed while not tracked): its
// literals are replaced by $n here (value_scrub.h), into a buffer of the
// store's text capacity allocated once per backend. No PostgreSQL error;
// when even that fails the text is stored empty, never with its values.
const char* scrub_text(const char* s, int len, int* out_len) {
    static char* buf = nullptr;
    int cap = static_cast<int>(g_table.header().text_cap);
    if (buf == nullptr) buf = static_cast<char*>(malloc(static_cast<size_t>(cap) + 1));
    *out_len = 0;
    if (buf == nullptr) return "";
    int n = scrub_sql_into(s, len, buf, cap);
    if (n < 0) return "";
    // Longer than the capacity: cut at a character boundary, as clip_text.
    if (n == cap) n = pg_mbcliplen(buf, n, n);
    *out_len = n;
    return buf;
}

// The first execution of a statement: its entry is created under the
// exclusive lock (kept held for the caller), which the shared lock held on
// entry is given up for.
POTHOS_COLD int32 create_entry(const StatKey& key, StmtText text, int64 now) {
    LWLockRelease(g_shared->lock);
    int len = 0;
    const char* s = clip_text(text, &len);
    s = scrub_text(s, len, &len);
    LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
    int32 slot = g_table.find(key);
    if (slot < 0) slot = g_table.insert(key, s, static_cast<size_t>(len), GetDatabaseEncoding(), now);
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
    if (code != 0 || !g_shared || !stats_guc_save) return;
    persist_save(g_table);
}

void store_shmem_startup() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    void* mem = ShmemInitStruct(kShmemName, shmem_size(), &found);
    g_shared = static_cast<SharedHeader*>(mem);
    void* table_mem = static_cast<char*>(mem) + sizeof(SharedHeader);
    if (!found) {
        g_shared->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
        g_table = StatTable::create(table_mem, static_cast<uint32_t>(stats_guc_max_statements),
                                    static_cast<uint32_t>(stats_guc_max_query_text), GetCurrentTimestamp());
        // Every entry's lock, once: insert and remove never reinitialise one
        // (a backend with a stale slot number may be holding it).
        for (uint32 s = 0; g_table.valid() && s < g_table.capacity(); s++)
            SpinLockInit(entry_lock(g_table.entry(static_cast<int32>(s))));
    } else {
        g_table = StatTable::attach(table_mem);
    }
    g_table.set_entry_lock(lock_entry, unlock_entry);
    for (Known& k : g_known) k.slot = -1;
    LWLockRelease(AddinShmemInitLock);
    g_store_ready = g_table.valid();

    if (!IsUnderPostmaster) {
        on_shmem_exit(store_shmem_exit, (Datum) 0);
        if (!found) persist_load(g_table);
    }
}

bool g_store_ready = false;

// The common path: the entry of a key this backend recorded before, locked
// through its remembered slot without the table lock. False when the slot
// no longer holds the key (the entry was evicted or reset since).
POTHOS_HOT inline bool exec_known(const Known& k, const StatKey& key, double ms, int64 rows,
                                  const core::IoUsage& io, bool slow, int64 now) {
    if (k.slot < 0 || !(k.key == key)) return false;
    StatEntry* e = g_table.entry(k.slot);
    SpinLockAcquire(entry_lock(e));
    bool held = StatTable::holds(e, key);
    if (POTHOS_LIKELY(held)) {
        e->counters.add_exec(ms, rows, io, slow, now);
        StatTable::touch(e);
    }
    SpinLockRelease(entry_lock(e));
    return held;
}

POTHOS_HOT void store_prefetch(const StatKey& key) {
    if (!store_ready()) return;
    const Known& k = known_of(key);
    if (k.slot < 0) return;
    // The lock word, usage and the counters add_exec writes first.
    const char* e = reinterpret_cast<const char*>(g_table.entry(k.slot));
#pragma GCC unroll 4
    for (size_t off = 0; off < StatTable::kExecBytes; off += 64) __builtin_prefetch(e + off, 1, 3);
}

POTHOS_HOT void store_exec(const StatKey& key, StmtText text, double ms, int64 rows, const core::IoUsage& io,
                           TimestampTz start) {
    if (!store_ready()) return;
    int64 now = start;
    bool slow = slow_guc_threshold_ms >= 0 && ms >= slow_guc_threshold_ms;
    Known& k = known_of(key);
    if (POTHOS_LIKELY(exec_known(k, key, ms, rows, io, slow, now))) return;
    // First execution in this backend (or the entry moved): found or
    // created under the table lock, remembered, then updated as above (the
    // slot holds the key while the table lock is held).
    remember(k, key, find_or_create(key, text, now));
    exec_known(k, key, ms, rows, io, slow, now);
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
    Known& k = known_of(key);
    if (k.slot >= 0 && k.key == key && k.generation == current_generation()) return true;
    LWLockAcquire(g_shared->lock, LW_SHARED);
    int32 slot = g_table.find(key);
    if (slot >= 0) remember(k, key, slot);
    LWLockRelease(g_shared->lock);
    return slot >= 0;
}

void store_add_normalized(const StatKey& key, const char* text, int len) {
    if (!store_ready()) return;
    int64 now = GetCurrentStatementStartTimestamp();
    LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
    if (g_table.find(key) < 0) g_table.insert(key, text, static_cast<size_t>(len), GetDatabaseEncoding(), now);
    LWLockRelease(g_shared->lock);
}

// ---- readers ----

StoreRow* store_snapshot(Oid dbid, bool with_text, uint32* n) {
    LWLockAcquire(g_shared->lock, LW_SHARED);
    uint32 room = g_table.header().count;  // cannot grow while the lock is held
    StoreRow* rows = static_cast<StoreRow*>(palloc_extended(sizeof(StoreRow) * (room + 1), MCXT_ALLOC_HUGE));
    int* encodings = with_text ? static_cast<int*>(palloc(sizeof(int) * (room + 1))) : NULL;
    uint32 k = 0;
    for (uint32 s = 0; s < g_table.capacity() && k < room; s++) {
        if (!g_table.in_use(static_cast<int32>(s))) continue;
        StatEntry* e = g_table.entry(static_cast<int32>(s));
        if (dbid != InvalidOid && e->key.dbid != dbid) continue;
        StoreRow* r = &rows[k];
        SpinLockAcquire(entry_lock(e));
        r->key = e->key;
        r->counters = e->counters;
        SpinLockRelease(entry_lock(e));
        r->text = with_text ? pnstrdup(e->text(), e->text_len) : NULL;
        if (with_text) encodings[k] = e->encoding;
        k++;
    }
    LWLockRelease(g_shared->lock);
    for (uint32 i = 0; with_text && i < k; i++)
        rows[i].text = text_to_server(rows[i].text, static_cast<int>(strlen(rows[i].text)), encodings[i]);
    *n = k;
    return rows;
}

char* store_text_of(const StatKey& key, bool any_level) {
    if (!store_ready()) return NULL;
    char* text = NULL;
    int encoding = 0;
    StatKey k = key;
    LWLockAcquire(g_shared->lock, LW_SHARED);
    for (uint32 top = 2; top-- > 0 && text == NULL;) {
        if (any_level) k.toplevel = top;
        int32 slot = g_table.find(k);
        if (slot >= 0) {
            StatEntry* e = g_table.entry(slot);
            text = pnstrdup(e->text(), e->text_len);
            encoding = e->encoding;
        }
        if (!any_level) break;
    }
    LWLockRelease(g_shared->lock);
    return text ? text_to_server(text, static_cast<int>(strlen(text)), encoding) : NULL;
}

StoreInfo store_info() {
    LWLockAcquire(g_shared->lock, LW_SHARED);
    const core::StatTableHeader& h = g_table.header();
    StoreInfo info = {h.capacity, h.count, static_cast<int64>(h.dealloc), h.stats_reset};
    LWLockRelease(g_shared->lock);
    return info;
}

StoreTotals store_totals() {
    StoreTotals t = {0, 0, 0};
    LWLockAcquire(g_shared->lock, LW_SHARED);
    t.stats_reset = g_table.header().stats_reset;
    for (uint32 s = 0; s < g_table.capacity(); s++) {
        if (!g_table.in_use(static_cast<int32>(s))) continue;
        StatEntry* e = g_table.entry(static_cast<int32>(s));
        SpinLockAcquire(entry_lock(e));
        t.calls += e->counters.calls;
        t.exec_ms += e->counters.exec.total;
        SpinLockRelease(entry_lock(e));
    }
    LWLockRelease(g_shared->lock);
    return t;
}

int64 store_reset(Oid userid, Oid dbid, uint64 queryid) {
    TimestampTz now = GetCurrentTimestamp();
    LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
    uint32 removed = g_table.reset(userid, dbid, queryid, now);
    LWLockRelease(g_shared->lock);
    return removed;
}

}  // namespace pothos::ext
