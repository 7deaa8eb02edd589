// advisor/select_bridge.h -- the index advisor's C++ steps for the glue of
// recommend_indexes (the boundary rules: guard.h): the candidates from the
// workload's column uses (core/advisor/candidates.h), and the greedy
// selection that re-plans statements with hypothetical indexes
// (core/advisor/select.h). The candidates live in a session between the two.
#pragma once

#include "extension/common/pg.h"

#include "extension/advisor/hypo_index.h"
#include "extension/advisor/table_indexes.h"
#include "extension/advisor/workload.h"
#include "extension/common/guard.h"

namespace pothos::ext {

// The C++ state between the two steps (opaque to the glue).
struct AdvisorSession;

// One candidate index as the glue needs it.
struct AdvisorCandidate {
    Oid relid;
    char* shape_sql;   // what follows USING btree: "(a, b DESC) WHERE ..."
    char* reasons;     // why, "; "-separated
    int nkeys;
    char** key_names;  // quoted identifiers
};
POTHOS_PLAIN(AdvisorCandidate);

// The candidates of the workload (palloc'd, *n of them). *sess receives the
// session as soon as it exists, also when the call fails: free it with
// advisor_session_free (a memory context reset callback, so that an error
// frees it too). False when that failed (the message in *err).
bool advisor_candidates(const Workload* w, bool like_needs_pattern_ops, AdvisorSession** sess,
                        AdvisorCandidate** out, int* n, CppError* err) noexcept;
void advisor_session_free(void* sess) noexcept;

// The plan cost of workload statement `stmt` with the hypothetical indexes
// set[0, n) pretended to exist; -1 when it cannot be planned. Core code
// calls it: it must let no PostgreSQL error escape (subxact.h, keep).
using AdvisorCostFn = double (*)(void* ctx, int stmt, HypoIndex** set, int n) noexcept;

struct AdvisorSelectArgs {
    const Workload* w;
    HypoIndex** hypos;     // per candidate; NULL: not a valid index, left out
    const double* bytes;   // per candidate: estimated size
    const int* heights;    // per candidate: levels above the leaves
    const TableIndexes* tables;
    double min_improvement_pct;
    int max_indexes;
    AdvisorCostFn cost;
    void* cost_ctx;
};
POTHOS_PLAIN(AdvisorSelectArgs);

// One chosen index.
struct AdvisorChoice {
    int candidate;
    double cost_before, cost_after, improvement;
    double saving;      // ms of the workload's reads it saves
    double write_cost;  // ms the workload's writes would spend maintaining it
    double write_rows;  // index entries those writes add
    int nstatements;
    int* statements;  // positions in the workload of the statements it speeds up
};
POTHOS_PLAIN(AdvisorChoice);

// The indexes chosen among the session's candidates (palloc'd, *n of them);
// false when that failed (the message in *err).
bool advisor_select(const AdvisorSession* sess, const AdvisorSelectArgs* args, AdvisorChoice** out, int* n,
                    CppError* err) noexcept;

// core::advisor::wal_increase_pct (what an index adds to the WAL of an
// INSERT, percent).
bool advisor_wal_increase_pct(double row_width, int index_count, double tuple_bytes, double* out,
                              CppError* err) noexcept;

}  // namespace pothos::ext
