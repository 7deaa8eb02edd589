// analysis/rules_bridge.h -- the rule engines (core/analysis/query_rules.h)
// for the glue: EXPLAIN (FORMAT JSON) text and collected facts in, plain
// results with palloc'd texts out (the boundary rules: guard.h).
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "nodes/pg_list.h"
}

#include "extension/analysis/query_facts_pg.h"
#include "extension/common/guard.h"

namespace pothos::ext {

// analyze_performance's figures and findings.
struct PerformanceResult {
    double execution_ms, planning_ms, cost, est_rows, act_rows, hits, reads;
    bool has_exec, has_plan_time, has_actual;
    bool optimized;
    char** recommendations;  // NULL-terminated, palloc'd
    char** rules;
};
POTHOS_PLAIN(PerformanceResult);

// The performance rules over a plan (json) of a statement reading
// relations (RelationC*, relations_of_rtable); false when that failed (the
// message in *err, e.g. an EXPLAIN output that cannot be read).
bool rules_performance(const char* json, List* relations, PerformanceResult* out, CppError* err) noexcept;

// analyze_query's findings; each array NULL-terminated and palloc'd.
struct QueryAnalysisC {
    char* optimized;
    char** improvements;
    char** issues;
    char** rules;
    char** suggestions;  // CREATE INDEX statements
    char** hypo_ddls;    // the ones hypothetical indexes can pretend
};
POTHOS_PLAIN(QueryAnalysisC);

// The query rules over statement sql with its facts and plan (json); false
// when that failed (the message in *err).
bool rules_query(const QueryFactsC* facts, const char* sql, const char* json, QueryAnalysisC* out,
                 CppError* err) noexcept;

// The recommendations of the plan rules (and the index suggestion of
// seq_scan_filter) over an executed plan, '\n'-separated and palloc'd; NULL
// when none fired or they could not be had (they are a bonus: never an error).
char* rules_plan_recommendations(const char* json, List* relations) noexcept;

}  // namespace pothos::ext
