// store.h -- the statement store in shared memory: a core::StatTable guarded
// by one LWLock (shared for lookups and counter updates, exclusive only to
// add or remove fingerprints) and a spinlock per entry.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "storage/lwlock.h"
}

#include "core/stats/table.h"

namespace pothos::ext {

void store_shmem_request();
void store_shmem_startup();

extern bool g_store_ready;  // set by store_shmem_startup; read it through store_ready()
// The store is in shared memory (asked on every statement: inline).
inline bool store_ready() { return g_store_ready; }

core::StatTable& store_table();
LWLock* store_lock();

// Text of a statement: the part [loc, loc + len) of a source string that may
// hold several statements (len <= 0: to the end).
struct StmtText {
    const char* source;
    int location;
    int length;
};

// Records one finished execution (creating the entry from text if absent)
// of a statement that started at start (GetCurrentStatementStartTimestamp()).
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

}  // namespace pothos::ext
