// advisor/shmem.h -- the index advisor's collection table in shared memory
// (core/advisor/pred_table.h) and its lock, with the figure metrics()
// reports. Only this module takes the lock: the collector records through
// advisor_record, the SQL functions read copies.
#pragma once

#include "extension/common/pg.h"

#include "core/advisor/pred_table.h"
#include "extension/common/guard.h"

namespace pothos::ext {

void advisor_shmem_request();
void advisor_shmem_startup();

// The table is in shared memory (pothos_perf.advisor_max_predicates > 0).
bool advisor_ready();

// One column use a sampled execution showed.
struct AdvisorUse {
    core::advisor::PredKey key;
    double returned;
    double filtered;
    bool index_cond;
};
POTHOS_PLAIN(AdvisorUse);

// Adds the uses of one sampled execution (one exclusive lock for all).
void advisor_record(const AdvisorUse* uses, int n);

// The entries of database dbid, copied (palloc'd, *n of them). May ereport.
POTHOS_PLAIN(core::advisor::PredEntry);
core::advisor::PredEntry* advisor_snapshot(Oid dbid, uint32* n);

struct AdvisorInfo {
    int64 capacity;
    int64 entries;
    int64 evictions;
    int64 updates;
};
POTHOS_PLAIN(AdvisorInfo);
AdvisorInfo advisor_info();

// Forgets the entries of dbid (InvalidOid: of every database).
void advisor_reset(Oid dbid);

// How many indexes the last recommend_indexes() call recommended (metrics()
// exports it without re-planning the workload on every scrape); false if it
// has not run since start-up.
void advisor_note_recommendations(int64 n);
bool advisor_last_recommendations(int64* n);

}  // namespace pothos::ext
