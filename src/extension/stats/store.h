// store.h -- the statement store in shared memory: a core::StatTable guarded
// by one LWLock (shared for lookups and counter updates, exclusive only to
// add or remove fingerprints) and a spinlock per entry.
//
// The store owns its locks: the per-statement writers below and the readers
// at the end (copies taken under the locks, texts converted once they are
// released) are the only code that takes them.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "datatype/timestamp.h"
}

#include "core/stats/table.h"
#include "extension/common/guard.h"

namespace pothos::ext {

void store_shmem_request();
void store_shmem_startup();

extern bool g_store_ready;  // set by store_shmem_startup; read it through store_ready()
// The store is in shared memory (asked on every statement: inline).
inline bool store_ready() { return g_store_ready; }


// Text of a statement: the part [loc, loc + len) of a source string that may
// hold several statements (len <= 0: to the end).
struct StmtText {
    const char* source;
    int location;
    int length;
};

// Records one finished execution (creating the entry from text if absent)
// of a statement that started at start (statement_timestamp() when it began).
void store_exec(const core::StatKey& key, StmtText text, double ms, int64 rows,
                const core::IoUsage& io, TimestampTz start);
// Asks the CPU to fetch the lines store_exec will write for key, when this
// backend has recorded key before (a hint: nothing is read or written, and
// a stale slot costs a useless fetch). Called when an executor starts, so
// that the fetch overlaps its work instead of stalling its end.
void store_prefetch(const core::StatKey& key);
// Records one planning.
void store_plan(const core::StatKey& key, StmtText text, double ms, const core::IoUsage& io);
// Records an execution or planning that ended in an error. Safe to call from
// a PG_CATCH block: no allocation, no ereport.
void store_error(const core::StatKey& key, StmtText text);

// True if key certainly has an entry now, answered from a small per-backend
// cache while no entry has been removed since, else from the table.
bool store_has(const core::StatKey& key);
// Adds key with an already normalized text, unless present.
void store_add_normalized(const core::StatKey& key, const char* text, int len);

// ---- readers (SQL functions; C-style: they may ereport) ----

// One entry as copied under its lock.
struct StoreRow {
    core::StatKey key;
    core::StatCounters counters;
    char* text;  // palloc'd, in this database's encoding; NULL unless asked for
};
POTHOS_PLAIN(StoreRow);

// The entries of database dbid (InvalidOid: of every database), in a
// palloc'd array of *n rows; their texts too when with_text.
StoreRow* store_snapshot(Oid dbid, bool with_text, uint32* n);

// The stored text of key's statement in this database's encoding
// (palloc'd); NULL when the store does not hold it. any_level: key.toplevel
// is ignored, the top-level entry preferred.
char* store_text_of(const core::StatKey& key, bool any_level);

struct StoreInfo {
    int64 capacity;
    int64 entries;
    int64 dealloc;
    TimestampTz stats_reset;
};
POTHOS_PLAIN(StoreInfo);
StoreInfo store_info();

// Executions and their total time over every entry, and the last full reset.
struct StoreTotals {
    int64 calls;
    double exec_ms;
    TimestampTz stats_reset;
};
POTHOS_PLAIN(StoreTotals);
StoreTotals store_totals();

// Removes the entries matching the filter (0: any); returns how many.
int64 store_reset(Oid userid, Oid dbid, uint64 queryid);

}  // namespace pothos::ext
