// Plan facts from EXPLAIN (FORMAT JSON [, ANALYZE, BUFFERS]) output, for
// analyze_performance and the slow-query recommendations. No PostgreSQL
// headers: the glue runs EXPLAIN and hands the text over.
//
// Nothing here throws except std::bad_alloc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/query_facts.h"

namespace pothos::core {

struct ExplainSummary {
    // nodes in pre-order with the fields of PlanNodeFacts; total_cost of the
    // top node; analyzed when the top node has "Actual Rows".
    PlanFacts plan;
    std::optional<double> planning_time_ms;   // "Planning Time"
    std::optional<double> execution_time_ms;  // "Execution Time"
    double estimated_rows = 0;                // top node "Plan Rows"
    std::optional<double> actual_rows;        // top node "Actual Rows"
    // Top node "Shared Hit Blocks" / "Shared Read Blocks" (they include the
    // children's), 0 without BUFFERS.
    double shared_hit_blocks = 0;
    double shared_read_blocks = 0;
};

// Parses the text EXPLAIN (FORMAT JSON) prints: an array holding one object
// with "Plan" (the object alone is accepted too). nullopt, with `error` set
// when given, for malformed JSON or a document without a plan.
std::optional<ExplainSummary> parse_explain_json(std::string_view json,
                                                 std::string* error = nullptr);

// Column names a plan's "Filter" text refers to, in order of appearance,
// without qualifiers, duplicates, function names, type names (after ::),
// string constants and SQL words such as AND, IS, NULL or SubPlan.
// E.g. "((o.customer_id = 42) AND (lower(email) ~~ 'a%'::text))"
//   -> {"customer_id", "email"}.
std::vector<std::string> filter_columns(std::string_view filter);

}  // namespace pothos::core
