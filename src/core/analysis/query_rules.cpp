#include "core/analysis/query_rules.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/common/sql_text.h"
#include "core/common/strings.h"

namespace pothos::core {

namespace {

// ---- small text helpers ----------------------------------------------------

// A row count or ratio for messages: rounded to a whole number.
std::string whole(double v) {
    if (!std::isfinite(v)) return v > 0 ? "infinitely many" : "0";
    char buf[32];
    std::to_chars_result res =
        std::fabs(v) < 1e15
            ? std::to_chars(buf, buf + sizeof buf, std::llround(v))
            : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, 2);
    return std::string(buf, res.ptr);
}

void push_unique(std::vector<std::string>& v, const std::string& s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

std::string sql_literal(std::string_view s) {
    std::string out = "'";
    for (char ch : s) {
        if (ch == '\'') out.push_back('\'');
        out.push_back(ch);
    }
    out.push_back('\'');
    return out;
}

std::string column_label(const std::string& relation, const std::string& column) {
    return relation.empty() ? column : relation + "." + column;
}

// schema.name of a relation for messages and DDL (schema from the relation
// facts when the caller has none).
std::string relation_label(const QueryFacts& facts, const std::string& schema,
                           const std::string& name) {
    std::string sch = schema;
    if (sch.empty()) {
        if (const RelationFacts* r = facts.find_relation(name)) sch = r->schema;
    }
    return sql::qualified_name(sch, name);
}

std::string schema_of(const QueryFacts& facts, const std::string& schema, const std::string& name) {
    if (!schema.empty()) return schema;
    const RelationFacts* r = facts.find_relation(name);
    return r ? r->schema : std::string();
}

// The expression the predicate applies to the column, for messages and DDL.
std::string column_side_expression(const PredicateFacts& p) {
    if (!p.column_expression.empty()) return p.column_expression;
    std::string e = sql::quote_ident(p.column);
    if (!p.wrapper_function.empty()) e = p.wrapper_function + "(" + e + ")";
    if (!p.cast_type.empty()) e = "(" + e + ")::" + p.cast_type;
    return e;
}

bool has_wildcard_prefix(const std::optional<std::string>& pattern) {
    return pattern && !pattern->empty() && ((*pattern)[0] == '%' || (*pattern)[0] == '_');
}

// ---- facts helpers ---------------------------------------------------------

// Rows in the relation a scan node reads: the catalog estimate, else what an
// analysed scan read (kept + removed, times loops); 0 when unknown.
double relation_rows(const QueryFacts& facts, const PlanNodeFacts& n) {
    const RelationFacts* rel = facts.find_relation(n.relation);
    if (rel && rel->estimated_rows > 0) return rel->estimated_rows;
    if (n.actual_rows) {
        return (*n.actual_rows + n.rows_removed_by_filter.value_or(0)) * n.loops.value_or(1);
    }
    return 0;
}

bool is_bare(const PredicateFacts& p) { return p.wrapper_function.empty() && p.cast_type.empty(); }

bool compares_to_value(const PredicateFacts& p) {
    return p.other_side == OperandKind::Constant || p.other_side == OperandKind::Param;
}

// Columns worth indexing for the scan of `relation`: equality, IN-list and
// IS NULL columns first (in predicate order), then one range column; falls
// back to the plan's filter columns.
std::vector<std::string> index_columns_for(const QueryFacts& facts, const PlanNodeFacts& n,
                                           std::size_t max_columns) {
    std::vector<std::string> eq, in, nulls, range;
    for (const PredicateFacts& p : facts.predicates) {
        if (p.relation != n.relation || p.negated || !is_bare(p) || p.column.empty()) continue;
        if (p.op == PredicateOp::IsNull) {
            push_unique(nulls, p.column);
        } else if (!compares_to_value(p)) {
            continue;
        } else if (p.op == PredicateOp::Eq) {
            push_unique(eq, p.column);
        } else if (p.op == PredicateOp::InList) {
            push_unique(in, p.column);
        } else if (p.op == PredicateOp::Range) {
            push_unique(range, p.column);
        }
    }
    std::vector<std::string> cols;
    for (const auto* group : {&eq, &in, &nulls}) {
        for (const std::string& c : *group) push_unique(cols, c);
    }
    for (const std::string& c : range) {
        if (std::find(cols.begin(), cols.end(), c) == cols.end()) {
            cols.push_back(c);
            break;
        }
    }
    if (cols.empty()) {
        for (const std::string& c : n.filter_columns) push_unique(cols, c);
    }
    if (cols.size() > max_columns) cols.resize(max_columns);
    return cols;
}

// True if an existing plain B-tree index starts with exactly these columns.
bool has_index_prefix(const RelationFacts& rel, const std::vector<std::string>& cols) {
    for (const IndexFacts& idx : rel.indexes) {
        if (idx.partial || idx.method != "btree" || idx.columns.size() < cols.size()) continue;
        if (std::equal(cols.begin(), cols.end(), idx.columns.begin())) return true;
    }
    return false;
}

bool column_indexed(const RelationFacts& rel, const std::string& column) {
    for (const IndexFacts& idx : rel.indexes) {
        if (std::find(idx.columns.begin(), idx.columns.end(), column) != idx.columns.end()) {
            return true;
        }
    }
    return false;
}

bool same_suggestion(const IndexSuggestion& a, const IndexSuggestion& b) {
    return a.relation == b.relation && a.columns == b.columns && a.method == b.method &&
           a.opclass == b.opclass;
}

// Adds the suggestion unless an identical one is there; true if added.
bool add_suggestion(const RuleContext& c, IndexSuggestion s) {
    for (const IndexSuggestion& other : c.index_suggestions) {
        if (same_suggestion(other, s)) return false;
    }
    s.rule_id = c.rule_id;
    s.ddl = create_index_ddl(s);
    c.index_suggestions.push_back(std::move(s));
    return true;
}

// A single-relation SELECT whose equality predicates cover a unique index
// returns at most one row.
bool unique_lookup(const QueryFacts& f) {
    if (f.relations.size() != 1) return false;
    const RelationFacts& rel = f.relations[0];
    for (const IndexFacts& idx : rel.indexes) {
        if (!(idx.unique || idx.primary) || idx.partial || idx.columns.empty()) continue;
        bool covered = true;
        for (const std::string& col : idx.columns) {
            bool found = false;
            for (const PredicateFacts& p : f.predicates) {
                if (p.relation == rel.name && p.column == col && p.op == PredicateOp::Eq &&
                    !p.negated && is_bare(p) && compares_to_value(p)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                covered = false;
                break;
            }
        }
        if (covered) return true;
    }
    return false;
}

std::vector<std::string> relation_names(const QueryFacts& f) {
    std::vector<std::string> names;
    for (const RelationFacts& r : f.relations) push_unique(names, r.name);
    return names;
}

// ---- query rules -------------------------------------------------------------

void rule_seq_scan_filter(const RuleContext& c) {
    for (const PlanNodeFacts& n : c.facts.plan.nodes) {
        if (n.scan != ScanKind::Seq || n.relation.empty()) continue;
        if (n.filter.empty() && n.filter_columns.empty()) continue;
        double rows = relation_rows(c.facts, n);
        if (rows <= 0 || rows < c.config.large_table_rows) continue;
        double kept = n.actual_rows ? *n.actual_rows : n.estimated_rows;
        if (kept > rows * c.config.selective_fraction) continue;
        std::vector<std::string> cols = index_columns_for(c.facts, n, c.config.max_index_columns);
        if (cols.empty()) continue;
        const RelationFacts* rel = c.facts.find_relation(n.relation);
        if (rel && has_index_prefix(*rel, cols)) continue;
        IndexSuggestion s;
        s.schema = schema_of(c.facts, n.schema, n.relation);
        s.relation = n.relation;
        s.columns = cols;
        if (!add_suggestion(c, s)) continue;
        c.report("Sequential scan on " + sql::qualified_name(s.schema, n.relation) +
                 " reads about " + whole(rows) + " rows to keep about " + whole(kept) +
                 " (filter on " + join(cols, ", ") +
                 "); an index would avoid it: " + c.index_suggestions.back().ddl);
    }
}

void rule_select_star(const RuleContext& c) {
    if (!c.facts.select_star) return;
    std::vector<std::string> names =
        c.facts.star_relations.empty() ? relation_names(c.facts) : c.facts.star_relations;
    std::string what = names.empty() ? "every column" : "every column of " + join(names, ", ");
    c.report("SELECT * fetches " + what +
             "; list only the columns the application uses (less I/O and network traffic, "
             "index-only scans become possible, and the query survives added columns).");
}

void rule_unbounded_result(const RuleContext& c) {
    const QueryFacts& f = c.facts;
    if (f.kind != StatementKind::Select || f.has_limit || f.relations.empty()) return;
    if (f.has_aggregates && !f.has_group_by) return;  // one row
    if (unique_lookup(f)) return;
    c.report("SELECT from " + join(relation_names(f), ", ") +
             " has no LIMIT, so the result grows with the table; add LIMIT or paginate.");
}

void rule_literal_parameters(const RuleContext& c) {
    const QueryFacts& f = c.facts;
    if (f.param_count > 0) return;
    std::vector<std::string> columns;
    std::size_t constant_predicates = 0;
    for (const PredicateFacts& p : f.predicates) {
        if (p.other_side != OperandKind::Constant) continue;
        ++constant_predicates;
        push_unique(columns, column_label(p.relation, p.column));
    }
    if (constant_predicates == 0) return;
    std::size_t n = std::max(f.literal_count, constant_predicates);
    c.report("The statement embeds " + whole(static_cast<double>(n)) + " literal constant" +
             (n == 1 ? "" : "s") + " (compared with " + join(columns, ", ") +
             "); pass the values as parameters of a prepared statement ($1, $2, ...) so the "
             "server can reuse the plan and values never become SQL text.");
}

void rule_leading_wildcard_like(const RuleContext& c) {
    for (const PredicateFacts& p : c.facts.predicates) {
        if ((p.op != PredicateOp::Like && p.op != PredicateOp::ILike) || p.negated) continue;
        if (!has_wildcard_prefix(p.pattern)) continue;
        const RelationFacts* rel = c.facts.find_relation(p.relation);
        bool trigram_exists = false;
        if (rel) {
            for (const IndexFacts& idx : rel->indexes) {
                if ((idx.method == "gin" || idx.method == "gist") && !idx.columns.empty() &&
                    idx.columns[0] == p.column) {
                    trigram_exists = true;
                }
            }
        }
        if (trigram_exists) continue;
        IndexSuggestion s;
        s.schema = rel ? rel->schema : std::string();
        s.relation = p.relation;
        s.columns = {is_bare(p) ? p.column : "(" + column_side_expression(p) + ")"};
        s.method = "gin";
        s.opclass = "gin_trgm_ops";
        if (!add_suggestion(c, s)) continue;
        c.report(column_label(p.relation, p.column) + " " +
                 (p.op == PredicateOp::Like ? "LIKE " : "ILIKE ") + sql_literal(*p.pattern) +
                 " starts with a wildcard, so no B-tree index can serve it; a trigram index can: "
                 "CREATE EXTENSION IF NOT EXISTS pg_trgm; " +
                 c.index_suggestions.back().ddl);
    }
}

void rule_non_sargable_predicate(const RuleContext& c) {
    std::vector<std::string> seen;
    for (const PredicateFacts& p : c.facts.predicates) {
        if (is_bare(p)) continue;
        const RelationFacts* rel = c.facts.find_relation(p.relation);
        if (!rel || !column_indexed(*rel, p.column)) continue;
        std::string expr = column_side_expression(p);
        std::string key = "(" + expr + ")";
        bool expression_index = false;
        for (const IndexFacts& idx : rel->indexes) {
            if (std::find(idx.columns.begin(), idx.columns.end(), key) != idx.columns.end()) {
                expression_index = true;
            }
        }
        if (expression_index) continue;
        std::string label = column_label(p.relation, p.column);
        if (std::find(seen.begin(), seen.end(), label + "|" + expr) != seen.end()) continue;
        seen.push_back(label + "|" + expr);
        IndexSuggestion s;
        s.schema = rel->schema;
        s.relation = p.relation;
        s.columns = {key};
        add_suggestion(c, s);
        std::string how = !p.wrapper_function.empty() ? "the function " + p.wrapper_function + "()"
                                                      : "a cast to " + p.cast_type;
        std::string rewrite = p.cast_type.empty() || !p.wrapper_function.empty()
                                  ? "compare the bare column"
                                  : "compare the bare column with a range of its own type";
        c.report("The filter applies " + how + " to the indexed column " + label + " (" + expr +
                 "), so its index cannot be used; " + rewrite +
                 ", or create an expression index: " + create_index_ddl(s));
    }
}

void rule_or_across_columns(const RuleContext& c) {
    for (const OrGroup& g : c.facts.or_groups) {
        std::vector<std::string> cols;
        for (const ColumnRef& r : g.columns) push_unique(cols, column_label(r.relation, r.column));
        if (cols.size() < 2) continue;
        c.report("OR across different columns (" + join(cols, ", ") +
                 ") cannot use one index; give each column its own index so the planner can "
                 "combine them (BitmapOr), or split the query into one SELECT per column joined "
                 "with UNION ALL (UNION if duplicates must go).");
    }
}

void rule_not_in_subquery(const RuleContext& c) {
    const std::vector<NotInSubqueryFacts>& items = c.facts.not_in_subqueries;
    if (items.empty()) return;
    // Spans refer to the original text: rewrite only while nothing else has.
    std::size_t applied = 0;
    if (c.optimized_query == c.text) {
        std::string rewritten = rewrite_not_in(c.text, items, &applied);
        if (applied > 0) c.optimized_query = std::move(rewritten);
    }
    for (const NotInSubqueryFacts& f : items) {
        std::string outer =
            f.outer_expression.empty() ? "the outer expression" : f.outer_expression;
        std::string msg = "NOT IN (subquery) on " + outer + " " +
                          (applied > 0 ? "was rewritten to" : "should be written as") +
                          " NOT EXISTS, which the planner runs as an anti-join instead of "
                          "hashing or rescanning the whole subquery result. ";
        bool outer_not_null = f.outer_nullable.has_value() && !*f.outer_nullable;
        bool sub_not_null = f.subquery_column_nullable.has_value() && !*f.subquery_column_nullable;
        if (outer_not_null && sub_not_null) {
            msg += "Both sides are NOT NULL, so the results are the same.";
        } else {
            msg +=
                "Check NULLs: NOT IN returns no rows at all when the subquery yields a NULL and "
                "drops rows where " +
                outer + " is NULL; NOT EXISTS does neither, so the results differ in those cases.";
        }
        c.report(std::move(msg));
    }
}

void rule_implicit_cross_join(const RuleContext& c) {
    for (const CrossJoinFacts& j : c.facts.cross_joins) {
        std::string size;
        const RelationFacts* l = c.facts.find_relation(j.left);
        const RelationFacts* r = c.facts.find_relation(j.right);
        if (l && r && l->estimated_rows > 0 && r->estimated_rows > 0) {
            size = " (about " + whole(l->estimated_rows) + " x " + whole(r->estimated_rows) +
                   " row pairs)";
        }
        c.report(j.left + " and " + j.right +
                 " are listed in FROM without a join condition, an implicit cross join" + size +
                 "; add the join predicate, or write CROSS JOIN if every pair is intended.");
    }
}

void rule_order_by_random(const RuleContext& c) {
    if (!c.facts.order_by_random) return;
    c.report(
        "ORDER BY random() reads and sorts every qualifying row to return a few; sample "
        "with TABLESAMPLE SYSTEM/BERNOULLI, or pick random keys within the id range and "
        "fetch them through the index.");
}

// An ORDER BY item split into its expression and whether it sorts descending
// ("created_at DESC NULLS LAST" -> {"created_at", true}).
struct SortItem {
    std::string expression;
    bool descending = false;
};

SortItem split_sort_item(std::string_view item) {
    std::vector<sql::Token> t = sql::tokenize(item);
    std::size_t end = t.size();
    if (end >= 2 && t[end - 2].depth == 0 && sql::is_keyword(item, t[end - 2], "nulls")) end -= 2;
    SortItem out;
    if (end >= 1 && t[end - 1].depth == 0) {
        if (sql::is_keyword(item, t[end - 1], "desc")) {
            out.descending = true;
            --end;
        } else if (sql::is_keyword(item, t[end - 1], "asc")) {
            --end;
        }
    }
    std::size_t stop = end < t.size() ? t[end].begin : item.size();
    out.expression = std::string(sql::trim(item.substr(0, end == 0 ? 0 : stop)));
    return out;
}

void rule_large_offset(const RuleContext& c) {
    const auto& off = c.facts.offset_value;
    if (!off || *off < c.config.large_offset) return;
    std::vector<std::string> exprs;
    std::size_t descending = 0;
    for (const std::string& item : c.facts.order_by) {
        SortItem si = split_sort_item(item);
        exprs.push_back(si.expression);
        if (si.descending) ++descending;
    }
    std::string n = whole(static_cast<double>(*off));
    std::string msg = "OFFSET " + n + " reads and discards " + n +
                      " rows for every page; use keyset pagination instead: ";
    if (exprs.empty()) {
        msg += "WHERE sort_key > (value of the last row seen) ORDER BY sort_key LIMIT page_size.";
    } else if (descending == 0 || descending == exprs.size()) {
        std::string keys = join(exprs, ", ");
        std::string tuple = exprs.size() > 1 ? "(" + keys + ")" : keys;
        msg += "WHERE " + tuple + (descending ? " < " : " > ") +
               "(values of the last row seen) ORDER BY " + join(c.facts.order_by, ", ") +
               " LIMIT page_size.";
    } else {
        msg += "remember the last row's " + join(exprs, ", ") +
               " and continue after it (with mixed sort directions, compare column by column) "
               "ORDER BY " +
               join(c.facts.order_by, ", ") + " LIMIT page_size.";
    }
    c.report(std::move(msg));
}

// ---- plan rules --------------------------------------------------------------

std::string node_label(const PlanNodeFacts& n) {
    std::string label = n.node_type.empty() ? "plan node" : n.node_type;
    if (!n.relation.empty()) label += " on " + sql::qualified_name(n.schema, n.relation);
    return label;
}

// Reports up to config.max_plan_findings_per_rule messages, then a summary.
class CappedReporter {
public:
    explicit CappedReporter(const RuleContext& c) : c_(c) {}
    void add(std::string msg) {
        if (count_++ < c_.config.max_plan_findings_per_rule) c_.report(std::move(msg));
    }
    void finish(const char* what) {
        std::size_t cap = c_.config.max_plan_findings_per_rule;
        if (count_ > cap) {
            c_.report("... and " + whole(static_cast<double>(count_ - cap)) + " more " + what +
                      ".");
        }
    }

private:
    const RuleContext& c_;
    std::size_t count_ = 0;
};

void rule_misestimate(const RuleContext& c) {
    CappedReporter out(c);
    double f = c.config.misestimate_factor;
    for (const PlanNodeFacts& n : c.facts.plan.nodes) {
        if (!n.actual_rows || (n.loops && *n.loops == 0)) continue;  // never executed
        double est = std::max(n.estimated_rows, 1.0);
        double act = std::max(*n.actual_rows, 1.0);
        double ratio = act / est;
        if (!(act / est >= f || est / act >= f)) continue;
        std::string fix = n.relation.empty()
                              ? "run ANALYZE on the tables involved"
                              : "run ANALYZE " + sql::qualified_name(n.schema, n.relation);
        out.add("Row estimate off by " + whole(ratio >= 1 ? ratio : 1 / ratio) + "x on " +
                node_label(n) + " (estimated " + whole(n.estimated_rows) + ", actual " +
                whole(*n.actual_rows) + "); " + fix +
                ", raise the statistics target of the filtered columns, or create extended "
                "statistics for correlated columns.");
    }
    out.finish("misestimated nodes");
}

void rule_sort_spill(const RuleContext& c) {
    CappedReporter out(c);
    for (const PlanNodeFacts& n : c.facts.plan.nodes) {
        bool disk =
            n.sort_space_type == "Disk" || n.sort_method.find("external") != std::string::npos;
        if (!disk) continue;
        std::string detail = n.sort_method.empty() ? "" : n.sort_method;
        if (n.sort_space_kb) {
            detail += (detail.empty() ? "" : ", ") + whole(*n.sort_space_kb) + " kB";
        }
        std::string keys = n.sort_keys.empty() ? "the sort key" : join(n.sort_keys, ", ");
        out.add("Sort spilled to disk" + (detail.empty() ? "" : " (" + detail + ")") +
                "; raise work_mem for this query (SET LOCAL work_mem) or add an index that "
                "returns rows ordered by " +
                keys + ".");
    }
    out.finish("sorts on disk");
}

void rule_seq_scan_large_table(const RuleContext& c) {
    CappedReporter out(c);
    for (const PlanNodeFacts& n : c.facts.plan.nodes) {
        if (n.scan != ScanKind::Seq || n.relation.empty()) continue;
        double rows = relation_rows(c.facts, n);
        if (rows <= 0 || rows < c.config.large_table_rows) continue;
        std::string filter = n.filter_columns.empty()
                                 ? ""
                                 : " on its filter columns (" + join(n.filter_columns, ", ") + ")";
        out.add("Sequential scan over the large table " +
                relation_label(c.facts, n.schema, n.relation) + " (about " + whole(rows) +
                " rows); add an index" + filter + " or restrict the rows the query reads.");
    }
    out.finish("large sequential scans");
}

// ---- the tables ----------------------------------------------------------------

constexpr Rule kQueryRules[] = {
    {"seq_scan_filter", FindingKind::Improvement, rule_seq_scan_filter,
     "sequential scan with a selective filter on a large table: suggest an index"},
    {"select_star", FindingKind::Improvement, rule_select_star,
     "SELECT *: list the needed columns"},
    {"unbounded_result", FindingKind::PotentialIssue, rule_unbounded_result,
     "SELECT without LIMIT that can return many rows"},
    {"literal_parameters", FindingKind::Improvement, rule_literal_parameters,
     "literal constants where parameters belong: use a prepared statement"},
    {"leading_wildcard_like", FindingKind::PotentialIssue, rule_leading_wildcard_like,
     "LIKE/ILIKE pattern starting with a wildcard: suggest a pg_trgm GIN index"},
    {"non_sargable_predicate", FindingKind::PotentialIssue, rule_non_sargable_predicate,
     "function or cast on an indexed column: suggest an expression index or a rewrite"},
    {"or_across_columns", FindingKind::PotentialIssue, rule_or_across_columns,
     "OR across different columns: separate indexes (BitmapOr) or UNION ALL"},
    {"not_in_subquery", FindingKind::Improvement, rule_not_in_subquery,
     "NOT IN (subquery): rewritten to NOT EXISTS, NULL semantics explained"},
    {"implicit_cross_join", FindingKind::PotentialIssue, rule_implicit_cross_join,
     "relations in FROM without a join condition"},
    {"order_by_random", FindingKind::PotentialIssue, rule_order_by_random,
     "ORDER BY random() sorts the whole result"},
    {"large_offset", FindingKind::PotentialIssue, rule_large_offset,
     "large OFFSET pagination: use keyset pagination"},
};

constexpr Rule kPlanRules[] = {
    {"misestimate", FindingKind::Recommendation, rule_misestimate,
     "actual rows differ from the estimate by the misestimate factor or more"},
    {"sort_spill", FindingKind::Recommendation, rule_sort_spill,
     "sort spilled to disk (external merge)"},
    {"seq_scan_large_table", FindingKind::Recommendation, rule_seq_scan_large_table,
     "sequential scan over a large table"},
};

void distribute(const std::vector<Finding>& findings, QueryAnalysis& out) {
    for (const Finding& f : findings) {
        if (f.kind == FindingKind::PotentialIssue) {
            out.potential_issues.push_back(f.message);
        } else {
            out.improvements.push_back(f.message);
        }
    }
}

void run(const Rule& rule, const QueryFacts& facts, std::string_view text, const RuleConfig& config,
         std::vector<Finding>& findings, std::string& optimized,
         std::vector<IndexSuggestion>& suggestions) {
    RuleContext ctx{facts, text, config, rule.id, rule.kind, findings, optimized, suggestions};
    rule.fn(ctx);
}

bool is_plan_rule(const Rule* r) { return r >= kPlanRules && r < kPlanRules + plan_rule_count(); }

// Splits a subquery into the parts a correlated rewrite needs; false when it
// is not of the simple form SELECT <col> FROM ... [WHERE ...] [ORDER BY ...].
bool split_simple_subquery(std::string_view sub, std::string_view& from_part,
                           std::string_view& where_part) {
    std::vector<sql::Token> tokens = sql::tokenize(sub);
    std::size_t first = 0;
    while (first < tokens.size() && tokens[first].kind == sql::TokenKind::Comment) ++first;
    if (first == tokens.size() || !sql::is_keyword(sub, tokens[first], "select")) return false;
    for (const char* kw : {"union", "intersect", "except", "group", "having", "limit", "offset",
                           "fetch", "window", "for", "into"}) {
        if (sql::find_keyword(sub, kw)) return false;
    }
    std::optional<std::size_t> from = sql::find_keyword(sub, "from");
    if (!from) return false;
    std::optional<std::size_t> where = sql::find_keyword(sub, "where", *from);
    std::optional<std::size_t> order = sql::find_keyword(sub, "order by", *from);
    std::size_t from_end = where ? *where : (order ? *order : sub.size());
    from_part = sql::trim(sub.substr(*from, from_end - *from));
    where_part = std::string_view();
    if (where) {
        std::size_t body = *where + 5;
        std::size_t where_end = order && *order > *where ? *order : sub.size();
        where_part = sql::trim(sub.substr(body, where_end - body));
    }
    return true;
}

bool is_identifier(const sql::Token& t) {
    return t.kind == sql::TokenKind::Word || t.kind == sql::TokenKind::QuotedIdent;
}

bool is_punct(std::string_view text, const sql::Token& t, std::string_view p) {
    return t.kind == sql::TokenKind::Punct && sql::token_text(text, t) == p;
}

// True if the outer expression keeps its meaning when moved into the
// subquery's WHERE clause: every column it names is qualified (a.b), and no
// qualifier is also a name in the subquery's FROM clause, which would shadow
// it. Function names (followed by '(') are fine; any bare name is not, since
// the subquery's relations might have a column of that name.
bool safe_to_correlate(std::string_view outer, std::string_view from_part) {
    std::vector<sql::Token> ot = sql::tokenize(outer);
    std::vector<std::string> inner_names;
    for (const sql::Token& t : sql::tokenize(from_part)) {
        if (is_identifier(t)) inner_names.push_back(sql::identifier_name(from_part, t));
    }
    for (std::size_t i = 0; i < ot.size(); ++i) {
        if (!is_identifier(ot[i])) continue;
        bool after_dot = i > 0 && is_punct(outer, ot[i - 1], ".");
        bool before_dot = i + 1 < ot.size() && is_punct(outer, ot[i + 1], ".");
        bool call = i + 1 < ot.size() && is_punct(outer, ot[i + 1], "(");
        if (after_dot || call) continue;
        if (!before_dot) return false;
        std::string name = sql::identifier_name(outer, ot[i]);
        if (std::find(inner_names.begin(), inner_names.end(), name) != inner_names.end()) {
            return false;
        }
    }
    return true;
}

// True if the text starts like a query: SELECT, WITH, VALUES, TABLE or '('
// (an IN list such as "1, 2" does not).
bool starts_like_query(std::string_view text) {
    for (const sql::Token& t : sql::tokenize(text)) {
        if (t.kind == sql::TokenKind::Comment) continue;
        return sql::is_keyword(text, t, "select") || sql::is_keyword(text, t, "with") ||
               sql::is_keyword(text, t, "values") || sql::is_keyword(text, t, "table") ||
               is_punct(text, t, "(");
    }
    return false;
}

// The single select-list expression of `SELECT [ALL|DISTINCT] expr [[AS] alias]
// FROM ...`, without the alias; empty when there are several, DISTINCT ON,
// or no FROM.
std::string select_list_column(std::string_view sub) {
    std::vector<sql::Token> t;
    for (const sql::Token& tok : sql::tokenize(sub)) {
        if (tok.kind != sql::TokenKind::Comment) t.push_back(tok);
    }
    if (t.empty() || !sql::is_keyword(sub, t[0], "select")) return std::string();
    std::size_t first = 1;
    if (first < t.size() && sql::is_keyword(sub, t[first], "all")) ++first;
    if (first < t.size() && sql::is_keyword(sub, t[first], "distinct")) {
        if (first + 1 < t.size() && sql::is_keyword(sub, t[first + 1], "on")) return std::string();
        ++first;
    }
    std::size_t last = first;  // one past the expression's last token
    for (; last < t.size(); ++last) {
        if (t[last].depth != t[0].depth) continue;
        if (sql::is_keyword(sub, t[last], "from")) break;
        if (is_punct(sub, t[last], ",")) return std::string();
    }
    if (last == t.size() || last == first) return std::string();
    std::size_t end = last;
    for (std::size_t i = first; i < last; ++i) {
        if (t[i].depth == t[0].depth && sql::is_keyword(sub, t[i], "as")) {
            end = i;
            break;
        }
    }
    // A bare alias: two names in a row at the end ("b.user_id uid").
    if (end == last && end - first >= 2 && is_identifier(t[end - 1]) && is_identifier(t[end - 2]) &&
        t[end - 1].depth == t[0].depth) {
        end -= 1;
    }
    if (end == first) return std::string();
    return std::string(sub.substr(t[first].begin, t[end - 1].end - t[first].begin));
}

}  // namespace

// ---- public functions ------------------------------------------------------------

bool RuleConfig::enabled(std::string_view rule_id) const {
    for (const std::string& d : disabled_rules) {
        if (d == rule_id) return false;
    }
    return true;
}

void RuleContext::report(std::string message) const {
    findings.push_back(Finding{rule_id, kind, std::move(message)});
}

std::size_t query_rule_count() { return sizeof kQueryRules / sizeof kQueryRules[0]; }
const Rule& query_rule(std::size_t i) { return kQueryRules[i]; }
std::size_t plan_rule_count() { return sizeof kPlanRules / sizeof kPlanRules[0]; }
const Rule& plan_rule(std::size_t i) { return kPlanRules[i]; }

const Rule* find_rule(std::string_view id) {
    for (const Rule& r : kQueryRules) {
        if (id == r.id) return &r;
    }
    for (const Rule& r : kPlanRules) {
        if (id == r.id) return &r;
    }
    return nullptr;
}

QueryAnalysis analyze_query(const QueryFacts& facts, std::string_view text,
                            const RuleConfig& config) {
    QueryAnalysis out;
    out.optimized_query = std::string(text);
    for (const Rule& rule : kQueryRules) {
        if (!config.enabled(rule.id)) continue;
        run(rule, facts, text, config, out.findings, out.optimized_query, out.index_suggestions);
    }
    distribute(out.findings, out);
    if (out.improvements.empty() && out.potential_issues.empty()) out.improvements.emplace_back(kWellOptimized);
    out.performance_gain_pct = performance_gain_pct(facts.plan);
    return out;
}

PerformanceAnalysis analyze_performance(const QueryFacts& facts, const RuleConfig& config) {
    PerformanceAnalysis out;
    std::string unused_text;
    std::vector<IndexSuggestion> unused_suggestions;
    for (const Rule& rule : kPlanRules) {
        if (!config.enabled(rule.id)) continue;
        run(rule, facts, std::string_view(), config, out.findings, unused_text, unused_suggestions);
    }
    for (const Finding& f : out.findings) out.recommendations.push_back(f.message);
    out.is_optimized = out.recommendations.empty();
    return out;
}

QueryAnalysis run_rule(std::string_view id, const QueryFacts& facts, std::string_view text,
                       const RuleConfig& config) {
    QueryAnalysis out;
    out.optimized_query = std::string(text);
    const Rule* rule = find_rule(id);
    if (!rule) return out;
    run(*rule, facts, is_plan_rule(rule) ? std::string_view() : text, config, out.findings,
        out.optimized_query, out.index_suggestions);
    distribute(out.findings, out);
    return out;
}

double performance_gain_pct(const PlanFacts& plan) {
    if (!plan.cost_after || !(plan.total_cost > 0) || !std::isfinite(*plan.cost_after)) return 0;
    double gain = (plan.total_cost - *plan.cost_after) / plan.total_cost * 100.0;
    return std::clamp(gain, 0.0, 100.0);
}

std::optional<std::string> not_exists_expression(const NotInSubqueryFacts& f) {
    std::string_view outer = sql::trim(f.outer_expression);
    std::string_view sub = sql::trim(f.subquery_text);
    if (outer.empty() || !starts_like_query(sub)) return std::nullopt;
    std::string_view column = sql::trim(f.subquery_column);
    std::string_view from_part;
    std::string_view where_part;
    if (!column.empty() && split_simple_subquery(sub, from_part, where_part) &&
        safe_to_correlate(outer, from_part)) {
        std::string out = "NOT EXISTS (SELECT 1 ";
        out.append(from_part);
        out += " WHERE ";
        if (!where_part.empty()) {
            bool needs_parens = sql::find_keyword(where_part, "or").has_value();
            if (needs_parens) out += "(";
            out.append(where_part);
            if (needs_parens) out += ")";
            out += " AND ";
        }
        out.append(column);
        out += " = ";
        out.append(outer);
        out += ")";
        return out;
    }
    std::string out = "NOT EXISTS (SELECT 1 FROM (";
    out.append(sub);
    out += ") AS pothos_nin(val) WHERE pothos_nin.val = ";
    out.append(outer);
    out += ")";
    return out;
}

std::string rewrite_not_in(std::string_view text, const std::vector<NotInSubqueryFacts>& items,
                           std::size_t* applied) {
    // Valid items, applied from the end so earlier spans keep their offsets.
    std::vector<const NotInSubqueryFacts*> valid;
    for (const NotInSubqueryFacts& f : items) {
        if (f.begin >= f.end || f.end > text.size()) continue;
        std::string_view span = text.substr(f.begin, f.end - f.begin);
        if (span.back() != ')' || !sql::find_keyword(span, "not in")) continue;
        valid.push_back(&f);
    }
    std::sort(valid.begin(), valid.end(),
              [](const NotInSubqueryFacts* a, const NotInSubqueryFacts* b) {
                  return a->begin > b->begin;
              });
    std::string out(text);
    std::size_t done = 0;
    std::size_t limit = text.size();  // spans must end at or before the last start
    for (const NotInSubqueryFacts* f : valid) {
        if (f->end > limit) continue;  // overlaps one already replaced
        std::optional<std::string> repl = not_exists_expression(*f);
        if (!repl) continue;
        out.replace(f->begin, f->end - f->begin, *repl);
        limit = f->begin;
        ++done;
    }
    if (applied) *applied = done;
    return out;
}

bool locate_not_in(std::string_view text, std::size_t expr_begin, std::size_t not_offset,
                   NotInSubqueryFacts& f) {
    if (expr_begin > not_offset || not_offset >= text.size()) return false;
    std::vector<sql::Token> tokens = sql::tokenize(text.substr(not_offset));
    std::vector<const sql::Token*> code;
    for (const sql::Token& t : tokens) {
        if (t.kind != sql::TokenKind::Comment) code.push_back(&t);
        if (code.size() == 3) break;
    }
    std::string_view rest = text.substr(not_offset);
    if (code.size() < 3 || !sql::is_keyword(rest, *code[0], "not") ||
        !sql::is_keyword(rest, *code[1], "in") || sql::token_text(rest, *code[2]) != "(") {
        return false;
    }
    std::size_t open = not_offset + code[2]->begin;
    std::optional<std::size_t> close = sql::matching_paren(text, open);
    if (!close) return false;
    std::string_view sub = sql::trim(text.substr(open + 1, *close - open - 1));
    if (!starts_like_query(sub)) return false;  // NOT IN (list)
    f.begin = expr_begin;
    f.end = *close + 1;
    f.subquery_text = std::string(sub);
    if (f.subquery_column.empty()) f.subquery_column = select_list_column(sub);
    if (f.outer_expression.empty()) {
        f.outer_expression =
            std::string(sql::trim(text.substr(expr_begin, not_offset - expr_begin)));
    }
    return true;
}

std::string create_index_ddl(const IndexSuggestion& s) {
    std::string out = "CREATE INDEX ON " + sql::qualified_name(s.schema, s.relation);
    if (!s.method.empty() && s.method != "btree") out += " USING " + s.method;
    out += " (";
    for (std::size_t i = 0; i < s.columns.size(); ++i) {
        if (i > 0) out += ", ";
        const std::string& col = s.columns[i];
        out += (!col.empty() && col[0] == '(') ? col : sql::quote_ident(col);
        if (!s.opclass.empty()) out += " " + s.opclass;
    }
    out += ");";
    return out;
}

}  // namespace pothos::core
