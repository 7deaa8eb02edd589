#include "core/analysis/explain_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/analysis/query_rules.h"

using namespace pothos::core;

namespace {

// EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON, TIMING OFF) from PostgreSQL 15 for
// SELECT * FROM orders o WHERE o.customer_id = 42 AND lower(status) <> 'x' ORDER BY note
// on 50000 rows (some buffer keys left out).
const char* kSortOverSeqScan = R"json([
  {
    "Plan": {
      "Node Type": "Sort",
      "Parallel Aware": false,
      "Startup Cost": 1445.41,
      "Total Cost": 1445.54,
      "Plan Rows": 50,
      "Plan Width": 54,
      "Actual Rows": 50,
      "Actual Loops": 1,
      "Sort Key": ["note"],
      "Sort Method": "quicksort",
      "Sort Space Used": 30,
      "Sort Space Type": "Memory",
      "Shared Hit Blocks": 569,
      "Shared Read Blocks": 3,
      "Plans": [
        {
          "Node Type": "Seq Scan",
          "Parent Relationship": "Outer",
          "Relation Name": "orders",
          "Alias": "o",
          "Startup Cost": 0.00,
          "Total Cost": 1444.00,
          "Plan Rows": 50,
          "Plan Width": 54,
          "Actual Rows": 50,
          "Actual Loops": 1,
          "Filter": "((customer_id = 42) AND (lower(status) <> 'x'::text))",
          "Rows Removed by Filter": 49950,
          "Shared Hit Blocks": 569,
          "Shared Read Blocks": 3
        }
      ]
    },
    "Planning": {
      "Shared Hit Blocks": 41,
      "Shared Read Blocks": 0
    },
    "Planning Time": 0.144,
    "Triggers": [
    ],
    "Execution Time": 2.853
  }
])json";

}  // namespace

TEST(ExplainJson, ReadsNodesInPreOrder) {
    std::string err;
    std::optional<ExplainSummary> s = parse_explain_json(kSortOverSeqScan, &err);
    ASSERT_TRUE(s.has_value()) << err;
    EXPECT_TRUE(s->plan.analyzed);
    EXPECT_DOUBLE_EQ(s->plan.total_cost, 1445.54);
    EXPECT_FALSE(s->plan.cost_after.has_value());
    EXPECT_EQ(s->estimated_rows, 50);
    EXPECT_EQ(s->actual_rows, 50);
    EXPECT_EQ(s->shared_hit_blocks, 569);
    EXPECT_EQ(s->shared_read_blocks, 3);
    EXPECT_EQ(s->planning_time_ms, 0.144);
    EXPECT_EQ(s->execution_time_ms, 2.853);
    ASSERT_EQ(s->plan.nodes.size(), 2u);

    const PlanNodeFacts& sort = s->plan.nodes[0];
    EXPECT_EQ(sort.node_type, "Sort");
    EXPECT_EQ(sort.scan, ScanKind::None);
    EXPECT_EQ(sort.sort_method, "quicksort");
    EXPECT_EQ(sort.sort_space_type, "Memory");
    EXPECT_EQ(sort.sort_space_kb, 30);
    EXPECT_EQ(sort.sort_keys, std::vector<std::string>{"note"});

    const PlanNodeFacts& scan = s->plan.nodes[1];
    EXPECT_EQ(scan.scan, ScanKind::Seq);
    EXPECT_EQ(scan.relation, "orders");
    EXPECT_EQ(scan.alias, "o");
    EXPECT_EQ(scan.schema, "");
    EXPECT_EQ(scan.estimated_rows, 50);
    EXPECT_EQ(scan.actual_rows, 50);
    EXPECT_EQ(scan.loops, 1);
    EXPECT_EQ(scan.rows_removed_by_filter, 49950);
    EXPECT_EQ(scan.filter, "((customer_id = 42) AND (lower(status) <> 'x'::text))");
    EXPECT_EQ(scan.filter_columns, (std::vector<std::string>{"customer_id", "status"}));
}

TEST(ExplainJson, FeedsThePlanRules) {
    std::optional<ExplainSummary> s = parse_explain_json(kSortOverSeqScan);
    ASSERT_TRUE(s.has_value());
    QueryFacts f;
    f.plan = s->plan;
    PerformanceAnalysis a = analyze_performance(f);
    ASSERT_EQ(a.findings.size(), 1u);
    EXPECT_EQ(a.findings[0].rule_id, "seq_scan_large_table");
    EXPECT_EQ(a.recommendations[0],
              "Sequential scan over the large table orders (about 50000 rows); add an index on "
              "its filter columns (customer_id, status) or restrict the rows the query reads.");
    QueryAnalysis q = analyze_query(f, "SELECT ...");
    ASSERT_EQ(q.index_suggestions.size(), 1u);
    EXPECT_EQ(q.index_suggestions[0].ddl, "CREATE INDEX ON orders (customer_id, status);");
}

TEST(ExplainJson, PlainExplainAndBareObject) {
    std::optional<ExplainSummary> s = parse_explain_json(
        R"({"Plan": {"Node Type": "Index Only Scan", "Index Name": "orders_pkey",
            "Relation Name": "orders", "Schema": "public", "Total Cost": 8.3, "Plan Rows": 1}})");
    ASSERT_TRUE(s.has_value());
    EXPECT_FALSE(s->plan.analyzed);
    EXPECT_FALSE(s->actual_rows.has_value());
    EXPECT_FALSE(s->execution_time_ms.has_value());
    ASSERT_EQ(s->plan.nodes.size(), 1u);
    EXPECT_EQ(s->plan.nodes[0].scan, ScanKind::IndexOnly);
    EXPECT_EQ(s->plan.nodes[0].index_name, "orders_pkey");
    EXPECT_EQ(s->plan.nodes[0].schema, "public");
    EXPECT_FALSE(s->plan.nodes[0].actual_rows.has_value());
}

TEST(ExplainJson, DeepPlansInPreOrder) {
    // A Result over an InitPlan over ... 5000 levels deep (what nested scalar
    // subqueries give), each level with a sibling scan after the nested one.
    const int n = 5000;
    std::string s = "[{\"Plan\": ";
    for (int i = 0; i < n; i++)
        s += "{\"Node Type\": \"Result\", \"Total Cost\": " + std::to_string(n - i) + ", \"Plans\": [";
    s += "{\"Node Type\": \"Seq Scan\", \"Relation Name\": \"deepest\"}";
    for (int i = 0; i < n; i++) s += ", {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"t" + std::to_string(i) + "\"}]}";
    s += "}]";
    std::string err;
    std::optional<ExplainSummary> sum = parse_explain_json(s, &err);
    ASSERT_TRUE(sum.has_value()) << err;
    ASSERT_EQ(sum->plan.nodes.size(), size_t(2 * n + 1));
    EXPECT_EQ(sum->plan.total_cost, n);
    EXPECT_EQ(sum->plan.nodes[n - 1].node_type, "Result");
    EXPECT_EQ(sum->plan.nodes[n].relation, "deepest");
    // Pre-order: after the deepest scan, the siblings from the inside out.
    EXPECT_EQ(sum->plan.nodes[n + 1].relation, "t0");
    EXPECT_EQ(sum->plan.nodes[2 * n].relation, "t" + std::to_string(n - 1));
}

TEST(ExplainJson, RejectsDocumentsWithoutPlan) {
    std::string err;
    EXPECT_FALSE(parse_explain_json("[]", &err).has_value());
    EXPECT_EQ(err, "EXPLAIN output without a \"Plan\" object");
    EXPECT_FALSE(parse_explain_json(R"([{"Plan": 3}])", &err).has_value());
    EXPECT_FALSE(parse_explain_json(R"({"Plan": {"Plans": {}}})", &err).has_value());
    EXPECT_EQ(err, "EXPLAIN output with a malformed \"Plans\" list");
    EXPECT_FALSE(parse_explain_json(R"({"Plan": {"Plans": [1]}})", &err).has_value());
    EXPECT_FALSE(parse_explain_json("{\"Plan\": ", &err).has_value());
    EXPECT_EQ(err.rfind("invalid JSON: ", 0), 0u) << err;
    EXPECT_FALSE(parse_explain_json(R"({"Plan": {"Total Cost": 1e999}})", &err).has_value());
    EXPECT_EQ(err.rfind("invalid JSON: ", 0), 0u) << err;
}

TEST(ExplainJson, FilterColumns) {
    EXPECT_EQ(filter_columns("((o.customer_id = 42) AND (lower(email) ~~ 'a%'::text))"),
              (std::vector<std::string>{"customer_id", "email"}));
    EXPECT_EQ(filter_columns("((created_at)::date = '2024-01-01'::date)"),
              (std::vector<std::string>{"created_at"}));
    EXPECT_EQ(filter_columns(
                  "((status IS NOT NULL) OR (NOT (hashed SubPlan 1)) OR (\"Weird Col\" = $1))"),
              (std::vector<std::string>{"status", "Weird Col"}));
    EXPECT_EQ(filter_columns("(ts < ('now'::timestamp with time zone - '1 day'::interval))"),
              (std::vector<std::string>{"ts"}));
    EXPECT_EQ(filter_columns("((name)::text = ANY ('{a,b}'::text[]))"),
              (std::vector<std::string>{"name"}));
    EXPECT_EQ(filter_columns("((title COLLATE \"C\") > x)"),
              (std::vector<std::string>{"title", "x"}));
    EXPECT_TRUE(filter_columns("").empty());
}
