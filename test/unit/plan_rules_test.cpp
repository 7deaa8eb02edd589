// The plan rules of analyze_performance.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/analysis/query_rules.h"

using namespace pothos::core;

namespace {

PlanNodeFacts node(const std::string& type, double estimated, double actual) {
    PlanNodeFacts n;
    n.node_type = type;
    n.estimated_rows = estimated;
    n.actual_rows = actual;
    n.loops = 1;
    return n;
}

PlanNodeFacts scan(const std::string& rel, double estimated, double actual) {
    PlanNodeFacts n = node("Index Scan", estimated, actual);
    n.scan = ScanKind::Index;
    n.schema = "public";
    n.relation = rel;
    return n;
}

QueryFacts with_nodes(std::vector<PlanNodeFacts> nodes) {
    QueryFacts f;
    f.plan.nodes = std::move(nodes);
    f.plan.analyzed = true;
    return f;
}

}  // namespace

TEST(PlanRules, MisestimateAtTenfoldEitherWay) {
    QueryFacts f = with_nodes({scan("orders", 10, 100)});
    PerformanceAnalysis a = analyze_performance(f);
    ASSERT_EQ(a.recommendations.size(), 1u);
    EXPECT_EQ(a.recommendations[0],
              "Row estimate off by 10x on Index Scan on public.orders (estimated 10, actual 100); "
              "run ANALYZE public.orders, raise the statistics target of the filtered columns, or "
              "create extended statistics for correlated columns.");
    EXPECT_EQ(a.findings[0].rule_id, "misestimate");
    EXPECT_FALSE(a.is_optimized);

    EXPECT_EQ(analyze_performance(with_nodes({scan("orders", 1000, 100)})).recommendations.size(),
              1u);  // over-estimate by 10x
    PerformanceAnalysis fine = analyze_performance(with_nodes({scan("orders", 10, 99)}));
    EXPECT_TRUE(fine.recommendations.empty());
    EXPECT_TRUE(fine.is_optimized);
    EXPECT_TRUE(
        analyze_performance(with_nodes({scan("orders", 1000, 101)})).recommendations.empty());
    // Zero rows count as one: 0 estimated vs 5 actual is no misestimate.
    EXPECT_TRUE(analyze_performance(with_nodes({scan("orders", 0, 5)})).recommendations.empty());
    // A node that never ran ("Actual Loops": 0) is not a misestimate.
    PlanNodeFacts never = scan("orders", 1000, 0);
    never.loops = 0;
    EXPECT_TRUE(analyze_performance(with_nodes({never})).recommendations.empty());
    // Without actual rows (plain EXPLAIN) there is nothing to compare.
    PlanNodeFacts estimated_only = scan("orders", 1, 0);
    estimated_only.actual_rows.reset();
    EXPECT_TRUE(analyze_performance(with_nodes({estimated_only})).recommendations.empty());
}

TEST(PlanRules, MisestimateFactorIsConfigurableAndCapped) {
    RuleConfig cfg;
    cfg.misestimate_factor = 100;
    EXPECT_TRUE(analyze_performance(with_nodes({scan("t", 10, 500)}), cfg).recommendations.empty());

    std::vector<PlanNodeFacts> many;
    for (int i = 0; i < 5; ++i) many.push_back(node("Hash Join", 1, 1000));
    PerformanceAnalysis a = analyze_performance(with_nodes(many));
    ASSERT_EQ(a.recommendations.size(), 4u);  // 3 + the summary line
    EXPECT_EQ(a.recommendations[0],
              "Row estimate off by 1000x on Hash Join (estimated 1, actual 1000); run ANALYZE on "
              "the tables involved, raise the statistics target of the filtered columns, or "
              "create extended statistics for correlated columns.");
    EXPECT_EQ(a.recommendations[3], "... and 2 more misestimated nodes.");

    PerformanceAnalysis huge = analyze_performance(with_nodes({node("Nested Loop", 1, 2e20)}));
    ASSERT_EQ(huge.recommendations.size(), 1u);
    EXPECT_EQ(huge.recommendations[0].rfind("Row estimate off by 2.00e+20x on Nested Loop "
                                            "(estimated 1, actual 2.00e+20)",
                                            0),
              0u);
}

TEST(PlanRules, SortSpill) {
    PlanNodeFacts sort = node("Sort", 1000, 1000);
    sort.sort_method = "external merge";
    sort.sort_space_type = "Disk";
    sort.sort_space_kb = 10240;
    sort.sort_keys = {"created_at DESC"};
    PerformanceAnalysis a = analyze_performance(with_nodes({sort}));
    ASSERT_EQ(a.recommendations.size(), 1u);
    EXPECT_EQ(a.recommendations[0],
              "Sort spilled to disk (external merge, 10240 kB); raise work_mem for this query "
              "(SET LOCAL work_mem) or add an index that returns rows ordered by created_at "
              "DESC.");
    sort.sort_method = "quicksort";
    sort.sort_space_type = "Memory";
    EXPECT_TRUE(analyze_performance(with_nodes({sort})).is_optimized);
}

TEST(PlanRules, SeqScanOverLargeTable) {
    PlanNodeFacts s = node("Seq Scan", 100000, 100000);
    s.scan = ScanKind::Seq;
    s.schema = "public";
    s.relation = "orders";
    s.filter_columns = {"status"};
    QueryFacts f = with_nodes({s});
    PerformanceAnalysis a = analyze_performance(f);
    ASSERT_EQ(a.recommendations.size(), 1u);
    EXPECT_EQ(a.recommendations[0],
              "Sequential scan over the large table public.orders (about 100000 rows); add an "
              "index on its filter columns (status) or restrict the rows the query reads.");

    // The size comes from the catalog when known.
    RelationFacts small;
    small.name = "orders";
    small.estimated_rows = 5000;
    f.relations.push_back(small);
    f.plan.nodes[0].actual_rows = 5000;
    f.plan.nodes[0].estimated_rows = 5000;
    EXPECT_TRUE(analyze_performance(f).is_optimized);
    // run_rule() on a plan rule reports through improvements.
    EXPECT_EQ(run_rule("seq_scan_large_table", f, "ignored").improvements.size(), 0u);
    RuleConfig low;
    low.large_table_rows = 5000;
    EXPECT_EQ(analyze_performance(f, low).recommendations.size(), 1u);
    EXPECT_EQ(run_rule("seq_scan_large_table", f, "ignored", low).improvements.size(), 1u);
}

TEST(PlanRules, DisabledRulesAreSkipped) {
    QueryFacts f = with_nodes({scan("orders", 10, 100)});
    RuleConfig cfg;
    cfg.disabled_rules = {"misestimate"};
    EXPECT_TRUE(analyze_performance(f, cfg).is_optimized);
}
