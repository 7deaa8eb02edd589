// Unit tests of the fleet merge (several servers in one report) and its
// renderers: no server.
#include <gtest/gtest.h>

#include "fleet.hpp"
#include "html_report.hpp"
#include "json_doc.hpp"
#include "render_fleet.hpp"

using namespace pothos::cli;

namespace {

Statement stmt(std::int64_t id, std::int64_t calls, double total, double p95, double p99 = 0) {
    Statement s;
    s.queryid = id;
    s.query = "SELECT " + std::to_string(id);
    s.calls = calls;
    s.total_ms = total;
    s.mean_ms = calls ? total / double(calls) : 0;
    s.p95_ms = p95;
    s.p99_ms = p99;
    s.rows = calls;
    s.blks_hit = 10;
    s.blks_read = 1;
    return s;
}

IndexRecommendation rec(const std::string& ddl, double gain, std::int64_t queries) {
    IndexRecommendation r;
    r.table_name = "t";
    r.columns = {"a"};
    r.index_ddl = ddl;
    r.improvement_pct = gain;
    r.affected_queries = queries;
    return r;
}

}  // namespace

TEST(CliFleet, StatementsMergeByQueryIdWithAColumnPerServer) {
    auto merged = merge_statements({{stmt(1, 10, 100, 20, 30), stmt(2, 1, 5, 5)},
                                    {stmt(1, 30, 60, 25, 26), stmt(3, 4, 200, 90)}},
                                   10);
    ASSERT_EQ(merged.size(), 3u);
    // by total time: 1 (160 ms), 3 (200 ms) first
    EXPECT_EQ(merged[0].queryid, 3);
    EXPECT_EQ(merged[1].queryid, 1);
    EXPECT_EQ(merged[2].queryid, 2);
    const FleetStatement& one = merged[1];
    EXPECT_EQ(one.total.calls, 40);
    EXPECT_DOUBLE_EQ(one.total.total_ms, 160);
    EXPECT_DOUBLE_EQ(one.total.mean_ms, 4);
    EXPECT_DOUBLE_EQ(one.total.p95_ms, 25);  // the highest of the servers'
    EXPECT_DOUBLE_EQ(one.total.p99_ms, 30);
    EXPECT_EQ(one.total.rows, 40);
    EXPECT_EQ(one.total.blks_hit, 20);
    ASSERT_EQ(one.per_server.size(), 2u);
    EXPECT_EQ(one.per_server[0]->calls, 10);
    EXPECT_EQ(one.per_server[1]->calls, 30);
    EXPECT_FALSE(merged[0].per_server[0].has_value());
    EXPECT_EQ(merge_statements({{stmt(1, 1, 1, 1), stmt(2, 1, 2, 1)}, {}}, 1).size(), 1u);
}

TEST(CliFleet, RecommendationsOnceWithTheServersThatGaveThem) {
    auto merged = merge_recommendations({{rec("CREATE INDEX ON t (a)", 40, 2), rec("CREATE INDEX ON u (b)", 10, 1)},
                                         {rec("create index  ON t (a);", 60, 3)},
                                         {rec("CREATE INDEX ON t (\"A\")", 5, 1)}});
    ASSERT_EQ(merged.size(), 3u);
    EXPECT_EQ(merged[0].rec.index_ddl, "create index  ON t (a);");  // the best estimate of the two
    EXPECT_DOUBLE_EQ(merged[0].rec.improvement_pct, 60);
    EXPECT_EQ(merged[0].rec.affected_queries, 5);
    EXPECT_EQ(merged[0].servers, (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(merged[1].rec.index_ddl, "CREATE INDEX ON u (b)");
    EXPECT_EQ(merged[2].servers, (std::vector<std::size_t>{2}));  // a quoted name is another column
}

TEST(CliFleet, ThePrimaryIsTheServerNotInRecovery) {
    EXPECT_EQ(primary_of({{"a", true}, {"b", false}}), std::optional<std::size_t>(1));
    EXPECT_EQ(primary_of({{"a", true}}), std::nullopt);
    EXPECT_THROW(primary_of({{"a", false}, {"b", false}}), std::invalid_argument);
    EXPECT_EQ(server_name("127.0.0.1", "5432", "app"), "127.0.0.1:5432/app");
    EXPECT_EQ(server_name("/tmp", "5432", "app"), "local:5432/app");
}

TEST(CliFleet, RenderersShowEveryServer) {
    std::vector<Server> servers = {{"p:1/db", false}, {"s:2/db", true}};
    Report a, b;
    a.database = b.database = "db";
    a.top = {stmt(7, 2, 10, 6)};
    b.top = {stmt(7, 3, 20, 9), stmt(8, 1, 1, 1)};
    a.recommendations = {rec("CREATE INDEX ON t (a)", 40, 2)};
    b.recommendations = {rec("CREATE INDEX ON t (a)", 30, 1)};
    a.health_json = R"({"status":"healthy"})";
    b.health_json = R"({"status":"degraded"})";
    FleetReport f = merge_reports(servers, {a, b}, 20);
    ASSERT_EQ(f.primary, std::optional<std::size_t>(0));

    TextStyle st;
    std::string top = text_fleet_top(servers, f.top, st);
    EXPECT_NE(top.find("p:1/db"), std::string::npos);
    EXPECT_NE(top.find("s:2/db"), std::string::npos);
    EXPECT_NE(top.find("10.0 ms / 2  20.0 ms / 3"), std::string::npos) << top;  // each server's own
    std::string text = text_fleet_report(f, st);
    EXPECT_NE(text.find("to run on the primary p:1/db"), std::string::npos) << text;
    EXPECT_NE(text.find("s:2/db (standby)"), std::string::npos);
    EXPECT_NE(text.find("degraded"), std::string::npos);

    Json doc = Json::parse(json_fleet_report(f));
    EXPECT_EQ(doc["apply_on"], "p:1/db");
    EXPECT_EQ(doc["servers"][1]["role"], "standby");
    EXPECT_EQ(doc["statements"][0]["queryid"], 7);
    EXPECT_EQ(doc["statements"][0]["calls"], 5);
    EXPECT_EQ(doc["statements"][0]["servers"].size(), 2u);
    EXPECT_EQ(doc["statements"][0]["servers"][1]["server"], "s:2/db");
    EXPECT_EQ(doc["recommendations"].size(), 1u);
    EXPECT_EQ(doc["recommendations"][0]["recommended_on"].size(), 2u);
    EXPECT_EQ(doc["per_server"][1]["health"]["status"], "degraded");

    std::string html = html_fleet_report(f);
    EXPECT_NE(html.find("Total execution time per statement and server"), std::string::npos);
    EXPECT_NE(html.find("<th>s:2/db: total / calls</th>"), std::string::npos);
    EXPECT_NE(html.find("To run on the primary <b>p:1/db</b>"), std::string::npos);
    EXPECT_EQ(html.find("<pre>"), std::string::npos);  // health as tables
}
