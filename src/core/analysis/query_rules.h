// The rule engines behind pothos_perf.analyze_query and
// pothos_perf.analyze_performance, free of PostgreSQL headers.
//
// analyze_query(facts, text) runs every query rule over QueryFacts (see
// query_facts.h) and the original statement text; analyze_performance(facts)
// runs the plan rules over the EXPLAIN ANALYZE facts. Each rule is a small
// function registered in a constant table under a stable id, so glue, tests
// and configuration (RuleConfig::disabled_rules) can name it.
//
// Messages are deterministic: they depend only on the facts and the text and
// name the tables and columns concerned. Findings come out in table order.
//
// How the glue uses it (analyze_query):
//   1. Parse and analyse the text; fill QueryFacts from the Query tree and the
//      catalogs (relations with indexes, predicates, flags, locate_not_in()).
//   2. EXPLAIN (FORMAT JSON) the statement; parse_explain_json() (explain_json.h)
//      gives facts.plan.
//   3. analyze_query(facts, text); for analysis.index_suggestions, plan again
//      with those indexes pretended to exist and set facts.plan.cost_after to
//      the new total cost; performance_gain_pct(facts.plan) is the gain.
// analyze_performance: EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON), then
// parse_explain_json() and analyze_performance() on the same facts.
//
// Nothing here throws except std::bad_alloc (from std::string/std::vector).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/query_facts.h"

namespace pothos::core {

// Thresholds, with their defaults.
struct RuleConfig {
    // A relation counts as large from this many rows (RelationFacts::estimated_rows,
    // else what the scan read).
    double large_table_rows = 10000;
    // A scan filter is selective when it keeps at most this fraction of the rows.
    double selective_fraction = 0.10;
    // At most this many columns in a suggested index.
    std::size_t max_index_columns = 3;
    // OFFSET from this value on is "large pagination".
    std::int64_t large_offset = 1000;
    // Actual vs estimated rows differing by this factor (either way) is a misestimate.
    double misestimate_factor = 10;
    // At most this many findings per plan rule (the rest are summarised as "and N more").
    std::size_t max_plan_findings_per_rule = 3;
    // Rule ids to skip.
    std::vector<std::string> disabled_rules;

    bool enabled(std::string_view rule_id) const;
};

enum class FindingKind {
    Improvement,     // analyze_query: improvements[]
    PotentialIssue,  // analyze_query: potential_issues[]
    Recommendation,  // analyze_performance: recommendations[]
};

struct Finding {
    std::string rule_id;
    FindingKind kind = FindingKind::Improvement;
    std::string message;
};

// An index a rule proposes; `ddl` is a complete CREATE INDEX statement
// (unnamed, so PostgreSQL picks the name) that the glue can hand to a
// hypothetical-index pass to fill PlanFacts::cost_after.
struct IndexSuggestion {
    std::string rule_id;
    std::string schema;
    std::string relation;
    std::vector<std::string> columns;  // column names, or "(expression)" keys
    std::string method = "btree";
    std::string opclass;  // e.g. "gin_trgm_ops", applied to every key
    std::string ddl;
};

struct QueryAnalysis {
    std::string optimized_query;  // the text with rewrites applied
    std::vector<std::string> improvements;
    std::vector<std::string> potential_issues;
    double performance_gain_pct = 0;  // see performance_gain_pct()
    std::vector<Finding> findings;    // all messages with their rule ids
    std::vector<IndexSuggestion> index_suggestions;
};

struct PerformanceAnalysis {
    std::vector<std::string> recommendations;
    std::vector<Finding> findings;
    bool is_optimized = true;  // no recommendation fired
};

// What a rule sees and where it reports.
struct RuleContext {
    const QueryFacts& facts;
    std::string_view text;  // the original statement (may be empty for plan rules)
    const RuleConfig& config;
    const char* rule_id;
    FindingKind kind;
    std::vector<Finding>& findings;
    std::string& optimized_query;  // rewrites go here (query rules only)
    std::vector<IndexSuggestion>& index_suggestions;

    void report(std::string message) const;
};

using RuleFn = void (*)(const RuleContext&);

struct Rule {
    const char* id;
    FindingKind kind;
    RuleFn fn;
    const char* summary;  // one line, for documentation and listings
};

// The query rules, in the order they run. Ids:
//   seq_scan_filter, select_star, unbounded_result, literal_parameters,
//   leading_wildcard_like, non_sargable_predicate, or_across_columns,
//   not_in_subquery, implicit_cross_join, order_by_random, large_offset
std::size_t query_rule_count();
const Rule& query_rule(std::size_t i);  // i < query_rule_count()

// The plan rules (analyze_performance). Ids:
//   misestimate, sort_spill, seq_scan_large_table
std::size_t plan_rule_count();
const Rule& plan_rule(std::size_t i);  // i < plan_rule_count()

// A query or plan rule by id, or nullptr.
const Rule* find_rule(std::string_view id);

// What analyze_query reports as its one improvement, and analyze_performance()
// (the SQL function) as its one recommendation, when no rule fired (the
// specification's wording).
inline constexpr const char* kWellOptimized = "Query is well optimized";

// Runs all enabled query rules. optimized_query starts as `text`; when no
// rule fires, improvements holds kWellOptimized.
QueryAnalysis analyze_query(const QueryFacts& facts, std::string_view text,
                            const RuleConfig& config = RuleConfig());

// Runs all enabled plan rules over facts.plan (and facts.relations for sizes).
PerformanceAnalysis analyze_performance(const QueryFacts& facts,
                                        const RuleConfig& config = RuleConfig());

// Runs one rule (query or plan) alone, ignoring disabled_rules; an unknown id
// runs nothing. Findings of plan rules land in `improvements`.
QueryAnalysis run_rule(std::string_view id, const QueryFacts& facts, std::string_view text,
                       const RuleConfig& config = RuleConfig());

// Estimated gain in percent: (total_cost - cost_after) / total_cost * 100,
// clamped to [0, 100]; 0 when cost_after is unset or total_cost <= 0.
double performance_gain_pct(const PlanFacts& plan);

// The NOT EXISTS expression replacing one `expr NOT IN (subquery)`.
// A simple subquery (SELECT col FROM ... [WHERE ...] [ORDER BY ...]) is
// rewritten in place:  NOT EXISTS (SELECT 1 FROM ... WHERE (...) AND col = expr);
// anything else, or names that could be captured, uses the general form
//   NOT EXISTS (SELECT 1 FROM (subquery) AS pothos_nin(val) WHERE pothos_nin.val = expr).
// nullopt when the facts lack the outer expression or the subquery text does
// not start like a query.
std::optional<std::string> not_exists_expression(const NotInSubqueryFacts& f);

// `text` with every NOT IN whose span is valid (inside the text, contains
// NOT IN, ends with ')', does not overlap another) replaced by its NOT
// EXISTS form. `applied`, when given, receives how many were replaced.
std::string rewrite_not_in(std::string_view text, const std::vector<NotInSubqueryFacts>& items,
                           std::size_t* applied = nullptr);

// Completes `f` from parser locations: `expr_begin` is where the outer
// expression starts (its leftmost token: for a column the ColumnRef/Var
// location; exprLocation() of an operator expression is the operator's),
// `not_offset` where its NOT keyword is (the SubLink's location). Sets begin,
// end (after the closing parenthesis), subquery_text, and when empty
// outer_expression (the text between the two offsets) and subquery_column
// (the select-list expression without its alias, if there is exactly one).
// False, leaving `f` unchanged, when the text at not_offset is not
// `NOT IN (<query>)` -- e.g. for NOT IN (1, 2).
bool locate_not_in(std::string_view text, std::size_t expr_begin, std::size_t not_offset,
                   NotInSubqueryFacts& f);

// CREATE INDEX ON <schema.relation> [USING method] (<keys>); with identifiers
// quoted as needed; keys starting with '(' are expressions and kept verbatim.
std::string create_index_ddl(const IndexSuggestion& s);

}  // namespace pothos::core
