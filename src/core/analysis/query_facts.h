// Plain facts about one analysed statement: what the query rules and the
// performance rules (query_rules.h) read. No PostgreSQL headers; the
// extension's glue fills these structs from the parse tree (Query), the
// planner's PlannedStmt or EXPLAIN (FORMAT JSON) output, and the catalogs.
//
// Conventions for the glue:
// - Relation names are unquoted catalog names ("Order Items", not "\"Order Items\"");
//   `schema` may be empty when unknown.
// - A column is named by the relation's catalog name (RelationFacts::name) and
//   the column's catalog name, so rules can match predicates, indexes and plan
//   nodes by plain string comparison.
// - Everything optional stays at its default when unknown; rules that need a
//   missing fact simply do not fire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/query_kinds.h"

namespace pothos::core {

// One existing index of a relation.
struct IndexFacts {
    std::string name;
    // Key columns in index order. An expression key is given as its deparsed
    // text in parentheses, e.g. "(lower(email))".
    std::vector<std::string> columns;
    bool unique = false;
    bool primary = false;
    std::string method = "btree";  // btree, hash, gin, gist, brin, ...
    bool partial = false;          // has a WHERE clause
};

// A relation in the statement's range table (tables and materialized views).
struct RelationFacts {
    std::string schema;
    std::string name;
    std::string alias;          // as written in FROM, empty if none
    double estimated_rows = 0;  // pg_class.reltuples (or planner estimate)
    double pages = 0;           // pg_class.relpages
    std::vector<IndexFacts> indexes;
};

// A column of a relation.
struct ColumnRef {
    std::string relation;  // RelationFacts::name
    std::string column;
};

// The kind of comparison in a predicate `column <op> other`.
enum class PredicateOp {
    Eq,      // =
    Range,   // <, <=, >, >=, BETWEEN
    InList,  // IN (list), = ANY(array)
    Like,    // LIKE, ~~
    ILike,   // ILIKE, ~~*
    IsNull,  // IS NULL / IS NOT NULL
    Other,   // <>, regex, full-text, ...
};

// One restriction on one column (a qual of the WHERE or JOIN ON clause,
// flattened from AND trees; OR trees are described by OrGroup instead).
struct PredicateFacts {
    std::string relation;  // RelationFacts::name of the column's relation
    std::string column;
    PredicateOp op = PredicateOp::Other;
    std::string op_text;   // operator as written, e.g. "=", "<=", "~~*" (messages only)
    bool negated = false;  // NOT LIKE, IS NOT NULL, NOT IN (list), ...
    // The column side wrapped in a function call (name, e.g. "lower") and/or a
    // cast (target type, e.g. "date"); empty when the bare column is compared.
    std::string wrapper_function;
    std::string cast_type;
    // The deparsed column-side expression, e.g. "lower(email)" or
    // "(created_at)::date"; optional, used in messages and expression-index DDL.
    // Deparse it the way index expressions are deparsed (IndexFacts::columns
    // without the parentheses), so an existing expression index is recognised.
    std::string column_expression;
    OperandKind other_side = OperandKind::None;
    // The LIKE/ILIKE pattern when the other side is a constant.
    std::optional<std::string> pattern;
};

// An OR whose arms restrict columns (possibly of several relations). The rule
// fires when two or more distinct columns appear.
struct OrGroup {
    std::vector<ColumnRef> columns;  // one entry per arm (duplicates allowed)
};

// Two relations in FROM with no join predicate between them (implicit cross
// join, e.g. `FROM a, b WHERE a.x = 1`).
struct CrossJoinFacts {
    std::string left;  // RelationFacts::name
    std::string right;
};

// `expr NOT IN (SELECT col FROM ...)` found in the original text, with what a
// rewrite to NOT EXISTS needs.
struct NotInSubqueryFacts {
    // Byte span [begin, end) of the whole `expr NOT IN (...)` expression in the
    // original text, closing parenthesis included.
    std::size_t begin = 0;
    std::size_t end = 0;
    // The outer expression text, qualified so that it cannot be captured by a
    // column of the subquery (e.g. "u.id" rather than "id").
    std::string outer_expression;
    // The subquery text without the surrounding parentheses
    // ("SELECT b.user_id FROM banned b WHERE b.active").
    std::string subquery_text;
    // The subquery's single select-list expression as written ("b.user_id").
    std::string subquery_column;
    // Nullability when known (from NOT NULL constraints); decides whether the
    // rewrite keeps the results identical.
    std::optional<bool> outer_nullable;
    std::optional<bool> subquery_column_nullable;
};

// Kind of scan a plan node performs.
enum class ScanKind { None, Seq, Index, IndexOnly, Bitmap, Other };

// One node of the plan (EXPLAIN JSON keys in comments). Nodes are listed in
// pre-order; only the fields the node has are filled.
struct PlanNodeFacts {
    std::string node_type;                    // "Node Type": "Seq Scan", "Sort", "Hash Join", ...
    ScanKind scan = ScanKind::None;           // derived from node_type for scan nodes
    std::string schema;                       // "Schema"
    std::string relation;                     // "Relation Name"
    std::string alias;                        // "Alias"
    std::string index_name;                   // "Index Name"
    double estimated_rows = 0;                // "Plan Rows" (per loop)
    double total_cost = 0;                    // "Total Cost"
    std::optional<double> actual_rows;        // "Actual Rows" (per loop)
    std::optional<double> loops;              // "Actual Loops"
    std::string filter;                       // "Filter"
    std::vector<std::string> filter_columns;  // columns referenced by the filter
    std::optional<double> rows_removed_by_filter;  // "Rows Removed by Filter" (per loop)
    std::string sort_method;                       // "Sort Method", e.g. "external merge"
    std::string sort_space_type;                   // "Sort Space Type": "Disk" | "Memory"
    std::optional<double> sort_space_kb;           // "Sort Space Used"
    std::vector<std::string> sort_keys;            // "Sort Key"
};

struct PlanFacts {
    std::vector<PlanNodeFacts> nodes;
    double total_cost = 0;  // of the top node
    // Total cost of the same statement when the hypothetical indexes suggested
    // by the rules (or the index advisor) are pretended to exist; filled by the
    // glue after a what-if planning pass. Unset = not measured.
    std::optional<double> cost_after;
    bool analyzed = false;  // true when actual_* fields come from EXPLAIN ANALYZE
};

struct QueryFacts {
    StatementKind kind = StatementKind::Other;
    std::vector<RelationFacts> relations;
    std::vector<PredicateFacts> predicates;
    std::vector<OrGroup> or_groups;
    std::vector<CrossJoinFacts> cross_joins;
    std::vector<NotInSubqueryFacts> not_in_subqueries;

    bool select_star = false;                  // a `*` or `t.*` in the top select list
    std::vector<std::string> star_relations;   // relations `*` expands over (messages)
    bool has_aggregates = false;               // aggregate functions in the top select list
    bool has_group_by = false;                 // GROUP BY, GROUPING SETS, DISTINCT ON
    bool has_set_returning = false;            // set-returning function in the select list
    bool has_limit = false;                    // LIMIT / FETCH FIRST present
    std::optional<std::int64_t> limit_value;   // when a constant
    std::optional<std::int64_t> offset_value;  // when a constant
    bool order_by_random = false;              // ORDER BY random()
    std::vector<std::string> order_by;         // ORDER BY expressions as written
    std::size_t literal_count = 0;             // literal constants in the text
    std::size_t param_count = 0;               // $n parameters in the text

    PlanFacts plan;

    // The relation with this catalog name, or nullptr.
    const RelationFacts* find_relation(const std::string& name) const {
        for (const RelationFacts& r : relations) {
            if (r.name == name) return &r;
        }
        return nullptr;
    }
};

// Helpers for the glue.

// The predicate class of a binary operator by name ("=", "<=", "~~", "!~~*",
// ...): Like/ILike for ~~ / ~~* (negated for !~~ / !~~*), Eq, Range for
// < <= > >=, Other for the rest ("<>" is Other, negated). `= ANY(array)` and
// IN lists are InList: the glue knows those from the expression node.
struct OperatorClass {
    PredicateOp op = PredicateOp::Other;
    bool negated = false;
};
OperatorClass classify_operator(std::string_view name);

// The scan kind of an EXPLAIN "Node Type": "Seq Scan" -> Seq, "Index Scan"
// -> Index, "Index Only Scan" -> IndexOnly, "Bitmap Heap Scan" -> Bitmap,
// other "... Scan" nodes -> Other, anything else -> None. A "Parallel "
// prefix (EXPLAIN's text format) is ignored.
ScanKind scan_kind_of(std::string_view node_type);

}  // namespace pothos::core
