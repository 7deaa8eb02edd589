// slow/aggregate_bridge.h -- core::aggregate_slow for the glue: a copy of
// the ring in, plain groups with palloc'd texts out (the boundary rules:
// guard.h).
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "datatype/timestamp.h"
}

#include "core/slow/ring.h"
#include "extension/common/guard.h"

namespace pothos::ext {

// One row of get_slow_queries(): the executions of one statement.
struct SlowGroupC {
    Oid userid, dbid;
    uint64 queryid;
    int encoding;  // of query, plan and recs (the statement's database)
    char* query;
    char* application_name;
    double max_ms, avg_ms;
    int64 count, rows;
    TimestampTz last;
    char* plan;    // "" when none
    char* params;  // "" when none
    char** recs;   // NULL-terminated
};
POTHOS_PLAIN(SlowGroupC);

// The executions of ring at or above threshold_ms grouped per statement,
// slowest first, at most max_rows groups (palloc'd, *n of them); false when
// that failed (the message in *err).
bool slow_aggregate(const core::SlowRing* ring, double threshold_ms, int max_rows, SlowGroupC** groups, int* n,
                    CppError* err) noexcept;

}  // namespace pothos::ext
