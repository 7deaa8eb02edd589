#include "core/analysis/query_rules.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

using namespace pothos::core;

namespace {

RelationFacts relation(const std::string& name, double rows, std::vector<IndexFacts> indexes = {}) {
    RelationFacts r;
    r.schema = "public";
    r.name = name;
    r.estimated_rows = rows;
    r.pages = rows / 100;
    r.indexes = std::move(indexes);
    return r;
}

IndexFacts btree_index(std::vector<std::string> columns, bool primary = false) {
    IndexFacts i;
    i.name = "idx";
    i.columns = std::move(columns);
    i.primary = primary;
    i.unique = primary;
    return i;
}

PredicateFacts pred(const std::string& rel, const std::string& col, PredicateOp op,
                    OperandKind other = OperandKind::Constant) {
    PredicateFacts p;
    p.relation = rel;
    p.column = col;
    p.op = op;
    p.other_side = other;
    return p;
}

PlanNodeFacts seq_scan(const std::string& rel, double est_rows, std::vector<std::string> cols) {
    PlanNodeFacts n;
    n.node_type = "Seq Scan";
    n.scan = ScanKind::Seq;
    n.schema = "public";
    n.relation = rel;
    n.estimated_rows = est_rows;
    n.filter = "(filter)";
    n.filter_columns = std::move(cols);
    return n;
}

// A SELECT * FROM orders WHERE customer_id = 42 AND created_at > '2024-01-01'
// on a large table with a selective filter and no index.
QueryFacts orders_query() {
    QueryFacts f;
    f.kind = StatementKind::Select;
    f.relations.push_back(relation("orders", 100000, {btree_index({"id"}, true)}));
    f.predicates.push_back(pred("orders", "created_at", PredicateOp::Range));
    f.predicates.push_back(pred("orders", "customer_id", PredicateOp::Eq));
    f.literal_count = 2;
    f.has_limit = true;
    f.limit_value = 10;
    f.plan.nodes.push_back(seq_scan("orders", 12, {"customer_id", "created_at"}));
    f.plan.total_cost = 1900;
    return f;
}

// The single message `rule` reports on `f`; "" when it reports none or several.
std::string message_of(const char* rule, const QueryFacts& f,
                       const RuleConfig& cfg = RuleConfig()) {
    QueryAnalysis a = run_rule(rule, f, "q", cfg);
    return a.findings.size() == 1 ? a.findings[0].message : std::string();
}

bool silent(const char* rule, const QueryFacts& f, const RuleConfig& cfg = RuleConfig()) {
    return run_rule(rule, f, "q", cfg).findings.empty();
}

std::vector<std::string> rule_ids(const QueryAnalysis& a) {
    std::vector<std::string> ids;
    for (const Finding& f : a.findings) ids.push_back(f.rule_id);
    return ids;
}

}  // namespace

// ---- the table -------------------------------------------------------------------

TEST(QueryRules, TableHasStableUniqueIds) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < query_rule_count(); ++i) ids.push_back(query_rule(i).id);
    EXPECT_EQ(ids,
              (std::vector<std::string>{
                  "seq_scan_filter", "select_star", "unbounded_result", "literal_parameters",
                  "leading_wildcard_like", "non_sargable_predicate", "or_across_columns",
                  "not_in_subquery", "implicit_cross_join", "order_by_random", "large_offset"}));
    for (std::size_t i = 0; i < plan_rule_count(); ++i) ids.push_back(plan_rule(i).id);
    std::set<std::string> unique(ids.begin(), ids.end());
    EXPECT_EQ(unique.size(), ids.size());
    for (const std::string& id : ids) {
        ASSERT_NE(find_rule(id), nullptr) << id;
        EXPECT_EQ(find_rule(id)->id, id);
        EXPECT_NE(std::string(find_rule(id)->summary), "");
    }
    EXPECT_EQ(find_rule("no_such_rule"), nullptr);
}

TEST(QueryRules, RuleKindsDecideTheOutputArray) {
    std::vector<std::string> improvements;
    for (std::size_t i = 0; i < query_rule_count(); ++i) {
        EXPECT_NE(query_rule(i).kind, FindingKind::Recommendation);
        if (query_rule(i).kind == FindingKind::Improvement)
            improvements.push_back(query_rule(i).id);
    }
    EXPECT_EQ(improvements, (std::vector<std::string>{"seq_scan_filter", "select_star",
                                                      "literal_parameters", "not_in_subquery"}));
    for (std::size_t i = 0; i < plan_rule_count(); ++i) {
        EXPECT_EQ(plan_rule(i).kind, FindingKind::Recommendation);
    }
}

TEST(QueryRules, UnknownRuleRunsNothing) {
    QueryAnalysis a = run_rule("no_such_rule", orders_query(), "SELECT 1");
    EXPECT_TRUE(a.findings.empty());
    EXPECT_EQ(a.optimized_query, "SELECT 1");
}

// ---- seq_scan_filter ---------------------------------------------------------------

TEST(QueryRules, SeqScanFilterSuggestsIndexEqualityFirst) {
    QueryAnalysis a = run_rule("seq_scan_filter", orders_query(), "q");
    ASSERT_EQ(a.improvements.size(), 1u);
    EXPECT_EQ(a.improvements[0],
              "Sequential scan on public.orders reads about 100000 rows to keep about 12 (filter "
              "on customer_id, created_at); an index would avoid it: CREATE INDEX ON "
              "public.orders (customer_id, created_at);");
    ASSERT_EQ(a.index_suggestions.size(), 1u);
    EXPECT_EQ(a.index_suggestions[0].columns,
              (std::vector<std::string>{"customer_id", "created_at"}));
    EXPECT_EQ(a.index_suggestions[0].rule_id, "seq_scan_filter");
    EXPECT_EQ(a.index_suggestions[0].ddl,
              "CREATE INDEX ON public.orders (customer_id, created_at);");
}

TEST(QueryRules, SeqScanFilterSilentOnSmallTableOrUnselectiveFilter) {
    QueryFacts small = orders_query();
    small.relations[0].estimated_rows = 9999;
    EXPECT_TRUE(silent("seq_scan_filter", small));

    QueryFacts unselective = orders_query();
    unselective.plan.nodes[0].estimated_rows = 10001;  // keeps > 10 %
    EXPECT_TRUE(silent("seq_scan_filter", unselective));

    QueryFacts indexed = orders_query();
    indexed.relations[0].indexes.push_back(btree_index({"customer_id", "created_at", "status"}));
    EXPECT_TRUE(silent("seq_scan_filter", indexed));

    QueryFacts no_filter = orders_query();
    no_filter.plan.nodes[0].filter.clear();
    no_filter.plan.nodes[0].filter_columns.clear();
    EXPECT_TRUE(silent("seq_scan_filter", no_filter));
}

TEST(QueryRules, SeqScanFilterUsesActualRowsAndFallsBackToFilterColumns) {
    QueryFacts f = orders_query();
    f.predicates.clear();
    f.relations[0].estimated_rows = 0;  // unknown: read from the analysed scan
    f.plan.nodes[0].actual_rows = 5;
    f.plan.nodes[0].rows_removed_by_filter = 49995;
    f.plan.nodes[0].estimated_rows = 40000;  // the estimate alone would not be selective
    QueryAnalysis a = run_rule("seq_scan_filter", f, "q");
    ASSERT_EQ(a.index_suggestions.size(), 1u);
    EXPECT_EQ(a.index_suggestions[0].ddl,
              "CREATE INDEX ON public.orders (customer_id, created_at);");
    EXPECT_NE(a.improvements[0].find("reads about 50000 rows to keep about 5"), std::string::npos);
}

TEST(QueryRules, SeqScanFilterCapsColumnsAndSkipsWrappedPredicates) {
    QueryFacts f = orders_query();
    f.predicates.push_back(pred("orders", "status", PredicateOp::Eq));
    f.predicates.push_back(pred("orders", "region", PredicateOp::InList));
    PredicateFacts wrapped = pred("orders", "email", PredicateOp::Eq);
    wrapped.wrapper_function = "lower";
    f.predicates.insert(f.predicates.begin(), wrapped);
    RuleConfig cfg;
    cfg.max_index_columns = 3;
    QueryAnalysis a = run_rule("seq_scan_filter", f, "q", cfg);
    ASSERT_EQ(a.index_suggestions.size(), 1u);
    EXPECT_EQ(a.index_suggestions[0].columns,
              (std::vector<std::string>{"customer_id", "status", "region"}));
}

// ---- select_star -------------------------------------------------------------------

TEST(QueryRules, SelectStar) {
    QueryFacts f = orders_query();
    f.select_star = true;
    QueryAnalysis a = run_rule("select_star", f, "SELECT * FROM orders");
    ASSERT_EQ(a.improvements.size(), 1u);
    EXPECT_EQ(a.improvements[0],
              "SELECT * fetches every column of orders; list only the columns the application "
              "uses (less I/O and network traffic, index-only scans become possible, and the "
              "query survives added columns).");
    f.select_star = false;
    EXPECT_TRUE(silent("select_star", f));
}

// ---- unbounded_result --------------------------------------------------------------

TEST(QueryRules, UnboundedResult) {
    QueryFacts f = orders_query();
    f.has_limit = false;
    QueryAnalysis a = run_rule("unbounded_result", f, "q");
    ASSERT_EQ(a.potential_issues.size(), 1u);
    EXPECT_EQ(a.potential_issues[0],
              "SELECT from orders has no LIMIT, so the result grows with the table; add LIMIT or "
              "paginate.");
    EXPECT_TRUE(a.improvements.empty());

    EXPECT_TRUE(silent("unbounded_result", orders_query()));  // LIMIT

    QueryFacts count = f;
    count.has_aggregates = true;  // SELECT count(*): one row
    EXPECT_TRUE(silent("unbounded_result", count));
    count.has_group_by = true;  // one row per group: unbounded again
    EXPECT_EQ(run_rule("unbounded_result", count, "q").findings.size(), 1u);

    QueryFacts by_pk = f;
    by_pk.predicates = {pred("orders", "id", PredicateOp::Eq, OperandKind::Param)};
    EXPECT_TRUE(silent("unbounded_result", by_pk));

    QueryFacts insert = f;
    insert.kind = StatementKind::Insert;
    EXPECT_TRUE(silent("unbounded_result", insert));
}

// ---- literal_parameters ------------------------------------------------------------

TEST(QueryRules, LiteralParameters) {
    QueryAnalysis a = run_rule("literal_parameters", orders_query(), "q");
    ASSERT_EQ(a.improvements.size(), 1u);
    EXPECT_EQ(a.improvements[0],
              "The statement embeds 2 literal constants (compared with orders.created_at, "
              "orders.customer_id); pass the values as parameters of a prepared statement ($1, "
              "$2, ...) so the server can reuse the plan and values never become SQL text.");

    QueryFacts with_params = orders_query();
    with_params.param_count = 1;
    EXPECT_TRUE(silent("literal_parameters", with_params));

    QueryFacts only_limit = orders_query();  // LIMIT 10 alone is not a filter value
    only_limit.predicates.clear();
    EXPECT_TRUE(silent("literal_parameters", only_limit));
}

// ---- leading_wildcard_like ------------------------------------------------------------

TEST(QueryRules, LeadingWildcardLike) {
    QueryFacts f;
    f.kind = StatementKind::Select;
    f.relations.push_back(relation("users", 50000));
    PredicateFacts p = pred("users", "email", PredicateOp::ILike);
    p.pattern = "%@example.com";
    f.predicates.push_back(p);
    QueryAnalysis a = run_rule("leading_wildcard_like", f, "q");
    ASSERT_EQ(a.potential_issues.size(), 1u);
    EXPECT_EQ(a.potential_issues[0],
              "users.email ILIKE '%@example.com' starts with a wildcard, so no B-tree index can "
              "serve it; a trigram index can: CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE "
              "INDEX ON public.users USING gin (email gin_trgm_ops);");
    ASSERT_EQ(a.index_suggestions.size(), 1u);
    EXPECT_EQ(a.index_suggestions[0].method, "gin");

    f.predicates[0].pattern = "bob%";
    EXPECT_TRUE(silent("leading_wildcard_like", f));
    f.predicates[0].pattern = "_ob";
    f.predicates[0].op = PredicateOp::Like;
    EXPECT_EQ(run_rule("leading_wildcard_like", f, "q").findings.size(), 1u);
    f.predicates[0].negated = true;
    EXPECT_TRUE(silent("leading_wildcard_like", f));
    f.predicates[0].negated = false;
    IndexFacts trgm = btree_index({"email"});
    trgm.method = "gin";
    f.relations[0].indexes.push_back(trgm);
    EXPECT_TRUE(silent("leading_wildcard_like", f));
}

TEST(QueryRules, LeadingWildcardQuotesPattern) {
    QueryFacts f;
    f.relations.push_back(relation("users", 10));
    PredicateFacts p = pred("users", "name", PredicateOp::Like);
    p.pattern = "%O'Brien";
    f.predicates.push_back(p);
    QueryAnalysis a = run_rule("leading_wildcard_like", f, "q");
    ASSERT_EQ(a.potential_issues.size(), 1u);
    EXPECT_NE(a.potential_issues[0].find("users.name LIKE '%O''Brien'"), std::string::npos);
}

// ---- non_sargable_predicate ---------------------------------------------------------

TEST(QueryRules, FunctionOnIndexedColumn) {
    QueryFacts f;
    f.relations.push_back(relation("users", 50000, {btree_index({"email"})}));
    PredicateFacts p = pred("users", "email", PredicateOp::Eq);
    p.wrapper_function = "lower";
    p.column_expression = "lower(email)";
    f.predicates.push_back(p);
    QueryAnalysis a = run_rule("non_sargable_predicate", f, "q");
    ASSERT_EQ(a.potential_issues.size(), 1u);
    EXPECT_EQ(a.potential_issues[0],
              "The filter applies the function lower() to the indexed column users.email "
              "(lower(email)), so its index cannot be used; compare the bare column, or create "
              "an expression index: CREATE INDEX ON public.users ((lower(email)));");

    // An expression index on exactly that expression exists: fine.
    f.relations[0].indexes.push_back(btree_index({"(lower(email))"}));
    EXPECT_TRUE(silent("non_sargable_predicate", f));
}

TEST(QueryRules, CastOnIndexedColumn) {
    QueryFacts f;
    f.relations.push_back(relation("orders", 100000, {btree_index({"customer_id", "created_at"})}));
    PredicateFacts p = pred("orders", "created_at", PredicateOp::Eq);
    p.cast_type = "date";
    f.predicates.push_back(p);
    QueryAnalysis a = run_rule("non_sargable_predicate", f, "q");
    ASSERT_EQ(a.potential_issues.size(), 1u);
    EXPECT_EQ(a.potential_issues[0],
              "The filter applies a cast to date to the indexed column orders.created_at "
              "((created_at)::date), so its index cannot be used; compare the bare column with a "
              "range of its own type, or create an expression index: CREATE INDEX ON "
              "public.orders (((created_at)::date));");
}

TEST(QueryRules, NonSargableSilentForBareOrUnindexedColumns) {
    QueryFacts f;
    f.relations.push_back(relation("users", 50000, {btree_index({"id"}, true)}));
    PredicateFacts wrapped = pred("users", "email", PredicateOp::Eq);
    wrapped.wrapper_function = "lower";
    f.predicates.push_back(wrapped);                               // not indexed
    f.predicates.push_back(pred("users", "id", PredicateOp::Eq));  // bare
    EXPECT_TRUE(silent("non_sargable_predicate", f));
}

// ---- or_across_columns ---------------------------------------------------------------

TEST(QueryRules, OrAcrossColumns) {
    QueryFacts f;
    f.or_groups.push_back(OrGroup{{{"users", "email"}, {"users", "phone"}, {"users", "email"}}});
    EXPECT_EQ(message_of("or_across_columns", f),
              "OR across different columns (users.email, users.phone) cannot use one index; give "
              "each column its own index so the planner can combine them (BitmapOr), or split the "
              "query into one SELECT per column joined with UNION ALL (UNION if duplicates must "
              "go).");
    QueryFacts same;
    same.or_groups.push_back(OrGroup{{{"users", "status"}, {"users", "status"}}});
    EXPECT_TRUE(silent("or_across_columns", same));
}

// ---- implicit_cross_join --------------------------------------------------------------

TEST(QueryRules, ImplicitCrossJoin) {
    QueryFacts f;
    f.relations = {relation("orders", 1000), relation("customers", 50)};
    f.cross_joins.push_back(CrossJoinFacts{"orders", "customers"});
    EXPECT_EQ(message_of("implicit_cross_join", f),
              "orders and customers are listed in FROM without a join condition, an implicit "
              "cross join (about 1000 x 50 row pairs); add the join predicate, or write CROSS "
              "JOIN if every pair is intended.");
    f.cross_joins.clear();
    EXPECT_TRUE(silent("implicit_cross_join", f));
}

// ---- order_by_random ----------------------------------------------------------------

TEST(QueryRules, OrderByRandom) {
    QueryFacts f;
    f.order_by_random = true;
    QueryAnalysis a = run_rule("order_by_random", f, "q");
    ASSERT_EQ(a.potential_issues.size(), 1u);
    EXPECT_NE(a.potential_issues[0].find("TABLESAMPLE"), std::string::npos);
    f.order_by_random = false;
    EXPECT_TRUE(silent("order_by_random", f));
}

// ---- large_offset ------------------------------------------------------------------

TEST(QueryRules, LargeOffsetAtThreshold) {
    QueryFacts f;
    f.offset_value = 999;
    EXPECT_TRUE(silent("large_offset", f));
    f.offset_value = 1000;
    f.order_by = {"created_at", "id"};
    EXPECT_EQ(message_of("large_offset", f),
              "OFFSET 1000 reads and discards 1000 rows for every page; use keyset pagination "
              "instead: WHERE (created_at, id) > (values of the last row seen) ORDER BY "
              "created_at, id LIMIT page_size.");
    RuleConfig cfg;
    cfg.large_offset = 5000;
    EXPECT_TRUE(silent("large_offset", f, cfg));
    f.offset_value.reset();
    EXPECT_TRUE(silent("large_offset", f));
}

TEST(QueryRules, LargeOffsetFollowsSortDirection) {
    QueryFacts f;
    f.offset_value = 20000;
    f.order_by = {"created_at DESC NULLS LAST", "id desc"};
    EXPECT_EQ(message_of("large_offset", f),
              "OFFSET 20000 reads and discards 20000 rows for every page; use keyset pagination "
              "instead: WHERE (created_at, id) < (values of the last row seen) ORDER BY "
              "created_at DESC NULLS LAST, id desc LIMIT page_size.");
    f.order_by = {"score DESC", "id"};
    EXPECT_EQ(message_of("large_offset", f),
              "OFFSET 20000 reads and discards 20000 rows for every page; use keyset pagination "
              "instead: remember the last row's score, id and continue after it (with mixed sort "
              "directions, compare column by column) ORDER BY score DESC, id LIMIT page_size.");
    f.order_by.clear();
    EXPECT_EQ(message_of("large_offset", f),
              "OFFSET 20000 reads and discards 20000 rows for every page; use keyset pagination "
              "instead: WHERE sort_key > (value of the last row seen) ORDER BY sort_key LIMIT "
              "page_size.");
    f.order_by = {"lower(name) ASC", "(a + b)"};
    EXPECT_NE(message_of("large_offset", f).find("WHERE (lower(name), (a + b)) > "),
              std::string::npos);
}

// ---- the engine ----------------------------------------------------------------------

TEST(QueryRules, AnalyzeQueryRunsEnabledRulesInTableOrder) {
    QueryFacts f = orders_query();
    f.select_star = true;
    f.has_limit = false;
    f.order_by_random = true;
    QueryAnalysis a = analyze_query(f, "SELECT * FROM orders WHERE ...");
    EXPECT_EQ(rule_ids(a),
              (std::vector<std::string>{"seq_scan_filter", "select_star", "unbounded_result",
                                        "literal_parameters", "order_by_random"}));
    EXPECT_EQ(a.improvements.size(), 3u);
    EXPECT_EQ(a.potential_issues.size(), 2u);
    EXPECT_EQ(a.optimized_query, "SELECT * FROM orders WHERE ...");
    EXPECT_EQ(a.performance_gain_pct, 0.0);

    RuleConfig cfg;
    cfg.disabled_rules = {"select_star", "order_by_random"};
    EXPECT_EQ(
        rule_ids(analyze_query(f, "q", cfg)),
        (std::vector<std::string>{"seq_scan_filter", "unbounded_result", "literal_parameters"}));
}

TEST(QueryRules, CleanQueryHasNoFindings) {
    QueryFacts f;
    f.kind = StatementKind::Select;
    f.relations.push_back(relation("users", 50000, {btree_index({"id"}, true)}));
    f.predicates.push_back(pred("users", "id", PredicateOp::Eq, OperandKind::Param));
    f.param_count = 1;
    QueryAnalysis a = analyze_query(f, "SELECT name FROM users WHERE id = $1");
    EXPECT_TRUE(a.findings.empty());
    // Said in the specification's words rather than with an empty list.
    EXPECT_EQ(a.improvements, std::vector<std::string>{"Query is well optimized"});
    EXPECT_TRUE(a.potential_issues.empty());
}

TEST(QueryRules, PerformanceGainFromCosts) {
    PlanFacts p;
    EXPECT_EQ(performance_gain_pct(p), 0.0);
    p.total_cost = 200;
    EXPECT_EQ(performance_gain_pct(p), 0.0);  // cost_after unknown
    p.cost_after = 50;
    EXPECT_DOUBLE_EQ(performance_gain_pct(p), 75.0);
    p.cost_after = 300;  // worse: no negative gain
    EXPECT_EQ(performance_gain_pct(p), 0.0);
    p.total_cost = 0;
    p.cost_after = 0;
    EXPECT_EQ(performance_gain_pct(p), 0.0);

    QueryFacts f = orders_query();
    f.plan.cost_after = 19;
    EXPECT_DOUBLE_EQ(analyze_query(f, "q").performance_gain_pct, 99.0);
}

TEST(QueryRules, CreateIndexDdlQuotesIdentifiers) {
    IndexSuggestion s;
    s.schema = "Sales";
    s.relation = "order";
    s.columns = {"User Id", "(lower(email))"};
    EXPECT_EQ(create_index_ddl(s),
              "CREATE INDEX ON \"Sales\".\"order\" (\"User Id\", (lower(email)));");
    s.schema.clear();
    s.method = "gin";
    s.opclass = "gin_trgm_ops";
    s.columns = {"name"};
    EXPECT_EQ(create_index_ddl(s), "CREATE INDEX ON \"order\" USING gin (name gin_trgm_ops);");
}

TEST(QueryFactsHelpers, ClassifyOperator) {
    EXPECT_EQ(classify_operator("=").op, PredicateOp::Eq);
    EXPECT_EQ(classify_operator(">=").op, PredicateOp::Range);
    EXPECT_EQ(classify_operator("<").op, PredicateOp::Range);
    EXPECT_EQ(classify_operator("~~").op, PredicateOp::Like);
    EXPECT_FALSE(classify_operator("~~").negated);
    EXPECT_EQ(classify_operator("!~~*").op, PredicateOp::ILike);
    EXPECT_TRUE(classify_operator("!~~*").negated);
    EXPECT_EQ(classify_operator("<>").op, PredicateOp::Other);
    EXPECT_TRUE(classify_operator("<>").negated);
    EXPECT_EQ(classify_operator("@>").op, PredicateOp::Other);
    EXPECT_FALSE(classify_operator("@>").negated);
}

TEST(QueryFactsHelpers, ScanKindOf) {
    EXPECT_EQ(scan_kind_of("Seq Scan"), ScanKind::Seq);
    EXPECT_EQ(scan_kind_of("Index Scan"), ScanKind::Index);
    EXPECT_EQ(scan_kind_of("Index Only Scan"), ScanKind::IndexOnly);
    EXPECT_EQ(scan_kind_of("Bitmap Heap Scan"), ScanKind::Bitmap);
    EXPECT_EQ(scan_kind_of("Bitmap Index Scan"), ScanKind::Other);
    EXPECT_EQ(scan_kind_of("Function Scan"), ScanKind::Other);
    EXPECT_EQ(scan_kind_of("Parallel Seq Scan"), ScanKind::Seq);
    EXPECT_EQ(scan_kind_of("Parallel Index Only Scan"), ScanKind::IndexOnly);
    EXPECT_EQ(scan_kind_of("Parallel "), ScanKind::None);
    EXPECT_EQ(scan_kind_of("Sort"), ScanKind::None);
    EXPECT_EQ(scan_kind_of(" Scan"), ScanKind::None);
}
