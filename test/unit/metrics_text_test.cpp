#include "core/metrics/metrics_text.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "core/metrics/statement_class.h"
#include "promtool.h"

using namespace pothos::core;

namespace {

StatementSample sample(const char* text, std::int64_t calls, std::vector<std::uint64_t> hist,
                       double total_ms = 0) {
    StatementClass c = classify_statement(text);
    StatementSample s;
    s.operation = c.operation;
    s.model = c.model;
    s.calls = calls;
    s.total_exec_ms = total_ms;
    s.histogram = std::move(hist);
    return s;
}

MetricsInput small_input() {
    MetricsInput in;
    in.connections_active = 2;
    in.connections_idle = 5;
    // Store buckets in ms: <=5, <=50, above.
    in.histogram_bounds_ms = {5, 50, std::numeric_limits<double>::infinity()};
    in.duration_buckets_s = {0.01, 0.1};
    in.statements.push_back(sample("SELECT * FROM todos WHERE id = $1", 3, {2, 1, 0}, 30));
    in.statements.push_back(
        sample("SELECT title FROM todos WHERE list_id = $1", 1, {0, 0, 1}, 500));
    in.statements.push_back(sample("INSERT INTO todos (title) VALUES ($1)", 2, {2, 0, 0}, 4));
    in.statements.back().errors = 1;
    in.statements.back().slow_calls = 1;
    return in;
}

}  // namespace

TEST(MetricsText, SmallExactOutput) {
    EXPECT_EQ(render_metrics(small_input()),
              "# HELP pothos_database_connections_active Client connections running a statement.\n"
              "# TYPE pothos_database_connections_active gauge\n"
              "pothos_database_connections_active 2\n"
              "# HELP pothos_database_connections_idle Idle client connections.\n"
              "# TYPE pothos_database_connections_idle gauge\n"
              "pothos_database_connections_idle 5\n"
              "# HELP pothos_database_query_duration_seconds Statement execution time in seconds, "
              "by operation and main table.\n"
              "# TYPE pothos_database_query_duration_seconds histogram\n"
              "pothos_database_query_duration_seconds_bucket{operation=\"insert\",model=\"todos\","
              "le=\"0.01\"} 2\n"
              "pothos_database_query_duration_seconds_bucket{operation=\"insert\",model=\"todos\","
              "le=\"0.1\"} 2\n"
              "pothos_database_query_duration_seconds_bucket{operation=\"insert\",model=\"todos\","
              "le=\"+Inf\"} 2\n"
              "pothos_database_query_duration_seconds_sum{operation=\"insert\",model=\"todos\"} "
              "0.004\n"
              "pothos_database_query_duration_seconds_count{operation=\"insert\",model=\"todos\"} "
              "2\n"
              "pothos_database_query_duration_seconds_bucket{operation=\"select\",model=\"todos\","
              "le=\"0.01\"} 2\n"
              "pothos_database_query_duration_seconds_bucket{operation=\"select\",model=\"todos\","
              "le=\"0.1\"} 3\n"
              "pothos_database_query_duration_seconds_bucket{operation=\"select\",model=\"todos\","
              "le=\"+Inf\"} 4\n"
              "pothos_database_query_duration_seconds_sum{operation=\"select\",model=\"todos\"} "
              "0.53\n"
              "pothos_database_query_duration_seconds_count{operation=\"select\",model=\"todos\"} "
              "4\n"
              "# HELP pothos_database_queries_total Statements executed, by operation, main table "
              "and outcome.\n"
              "# TYPE pothos_database_queries_total counter\n"
              "pothos_database_queries_total{operation=\"insert\",model=\"todos\",status="
              "\"success\"} 2\n"
              "pothos_database_queries_total{operation=\"insert\",model=\"todos\",status="
              "\"error\"} 1\n"
              "pothos_database_queries_total{operation=\"select\",model=\"todos\",status="
              "\"success\"} 4\n"
              "pothos_database_queries_total{operation=\"select\",model=\"todos\",status="
              "\"error\"} 0\n"
              "# HELP pothos_database_slow_queries_total Executions at or above "
              "pothos_perf.slow_query_threshold.\n"
              "# TYPE pothos_database_slow_queries_total counter\n"
              "pothos_database_slow_queries_total 1\n");
}

TEST(MetricsText, CardinalityIsBounded) {
    MetricsInput in;
    in.max_series = 2;
    for (int i = 0; i < 10; ++i) {
        std::string text = "SELECT * FROM t" + std::to_string(i);
        in.statements.push_back(sample(text.c_str(), 100 + i, {}));
    }
    in.statements.push_back(sample("DELETE FROM t0", 1, {}));
    in.statements.push_back(sample("SELECT 1", 1000, {}));
    std::string text = render_metrics(in);
    // Kept: select/none (1000 calls) and select/t9 (109); the rest folds per operation.
    EXPECT_NE(
        text.find("queries_total{operation=\"select\",model=\"none\",status=\"success\"} 1000\n"),
        std::string::npos);
    EXPECT_NE(
        text.find("queries_total{operation=\"select\",model=\"t9\",status=\"success\"} 109\n"),
        std::string::npos);
    EXPECT_NE(
        text.find("queries_total{operation=\"select\",model=\"other\",status=\"success\"} 936\n"),
        std::string::npos);
    EXPECT_NE(
        text.find("queries_total{operation=\"delete\",model=\"other\",status=\"success\"} 1\n"),
        std::string::npos);
    EXPECT_EQ(text.find("model=\"t8\""), std::string::npos);
    // Without a matching histogram the executions land in +Inf.
    EXPECT_NE(text.find("_bucket{operation=\"delete\",model=\"other\",le=\"+Inf\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("_bucket{operation=\"delete\",model=\"other\",le=\"10\"} 0\n"),
              std::string::npos);  // the default buckets
    EXPECT_EQ(text.find("n_plus_one"), std::string::npos);
}

TEST(MetricsText, PromtoolAcceptsOutput) {
    if (!pothos::test::promtool_available()) GTEST_SKIP() << "promtool not on PATH";
    MetricsInput in = small_input();
    in.duration_buckets_s.clear();
    in.n_plus_one_findings = 3;
    in.n_plus_one_round_trips_saved = 42;
    in.index_recommendations = 0;
    in.statements.push_back(sample("UPDATE \"Weird \"\"Table\"\"\" SET x = 1", 1, {}));
    in.statements.push_back(sample("VACUUM", 1, {}));
    std::string text = render_metrics(in);
    EXPECT_NE(text.find("model=\"Weird \\\"Table\\\"\""), std::string::npos);
    EXPECT_NE(text.find("pothos_database_n_plus_one_findings 3\n"), std::string::npos);
    pothos::test::PromtoolResult r = pothos::test::promtool_check(text);
    EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << text;
    EXPECT_EQ(r.output, "");
}

TEST(MetricsText, NPlusOneRoundTripsSaved) {
    MetricsInput in = small_input();
    in.n_plus_one_findings = 2;
    in.n_plus_one_round_trips_saved = 97;
    std::string text = render_metrics(in);
    EXPECT_NE(text.find("# TYPE pothos_database_n_plus_one_round_trips_saved gauge\n"), std::string::npos);
    EXPECT_NE(text.find("\npothos_database_n_plus_one_round_trips_saved 97\n"), std::string::npos);
    EXPECT_NE(text.find("\npothos_database_n_plus_one_findings 2\n"), std::string::npos);
    // Exported when nothing is found, so that dashboards have a series.
    in.n_plus_one_findings = 0;
    in.n_plus_one_round_trips_saved = 0;
    text = render_metrics(in);
    EXPECT_NE(text.find("\npothos_database_n_plus_one_round_trips_saved 0\n"), std::string::npos);
    // Absent when not given.
    in.n_plus_one_round_trips_saved.reset();
    text = render_metrics(in);
    EXPECT_EQ(text.find("round_trips_saved"), std::string::npos);
}

TEST(MetricsText, EmptyStoreStillValid) {
    MetricsInput in;
    std::string text = render_metrics(in);
    EXPECT_EQ(text,
              "# HELP pothos_database_query_duration_seconds Statement execution time in seconds, "
              "by operation and main table.\n"
              "# TYPE pothos_database_query_duration_seconds histogram\n"
              "# HELP pothos_database_queries_total Statements executed, by operation, main table "
              "and outcome.\n"
              "# TYPE pothos_database_queries_total counter\n"
              "# HELP pothos_database_slow_queries_total Executions at or above "
              "pothos_perf.slow_query_threshold.\n"
              "# TYPE pothos_database_slow_queries_total counter\n"
              "pothos_database_slow_queries_total 0\n");
    if (pothos::test::promtool_available()) {
        EXPECT_EQ(pothos::test::promtool_check(text).exit_code, 0);
    }
}

TEST(MetricsText, SlowQueriesCarryTheirThreshold) {
    MetricsInput in;
    in.slow_threshold_ms = 1000;
    pothos::core::StatementSample s;
    s.operation = "select";
    s.model = "todos";
    s.calls = 3;
    s.slow_calls = 2;
    in.statements.push_back(s);
    std::string text = render_metrics(in);
    EXPECT_NE(text.find("pothos_database_slow_queries_total{threshold=\"1000\"} 2\n"), std::string::npos) << text;
    in.slow_threshold_ms = 2.5;
    EXPECT_NE(render_metrics(in).find("pothos_database_slow_queries_total{threshold=\"2.5\"} 2\n"), std::string::npos);
}
