#include "core/metrics/prometheus.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "promtool.h"

using namespace pothos::core::prometheus;

TEST(Prometheus, NameValidation) {
    EXPECT_TRUE(valid_metric_name("pothos_database_queries_total"));
    EXPECT_TRUE(valid_metric_name("a:b_c9"));
    EXPECT_TRUE(valid_metric_name("_x"));
    EXPECT_FALSE(valid_metric_name(""));
    EXPECT_FALSE(valid_metric_name("9lives"));
    EXPECT_FALSE(valid_metric_name("with-dash"));
    EXPECT_FALSE(valid_metric_name("sp ace"));
    EXPECT_TRUE(valid_label_name("operation"));
    EXPECT_TRUE(valid_label_name("_x1"));
    EXPECT_FALSE(valid_label_name("a:b"));
    EXPECT_FALSE(valid_label_name("__name__"));
    EXPECT_FALSE(valid_label_name("1a"));
    EXPECT_FALSE(valid_label_name(""));
}

TEST(Prometheus, Escaping) {
    EXPECT_EQ(escape_label_value("a\\b\"c\nd\te"), "a\\\\b\\\"c\\nd\te");
    EXPECT_EQ(escape_help("say \"hi\"\\\n"), "say \"hi\"\\\\\\n");
    // UTF-8 passes through; invalid bytes (Latin-1, overlong, surrogate, truncated) do not.
    EXPECT_EQ(escape_label_value("\u00e9t\u00e9 \u6771 \U0001F600"),
              "\u00e9t\u00e9 \u6771 \U0001F600");
    EXPECT_EQ(escape_label_value("\xe9t\xe9"), "\uFFFDt\uFFFD");
    EXPECT_EQ(escape_label_value("\xc0\xaf|\xed\xa0\x80|\xe6\x9d"),
              "\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD|\uFFFD\uFFFD");
    EXPECT_EQ(escape_help("\xff"), "\uFFFD");
}

TEST(Prometheus, ValueFormatting) {
    EXPECT_EQ(format_value(0), "0");
    EXPECT_EQ(format_value(42), "42");
    EXPECT_EQ(format_value(-3), "-3");
    EXPECT_EQ(format_value(0.1), "0.1");
    EXPECT_EQ(format_value(0.005), "0.005");
    EXPECT_EQ(format_value(1e21), "1e+21");
    EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_value(std::nan("")), "NaN");
    for (double v : {1.0 / 3.0, 2.0 / 3.0 * 1e-300, 123456789.123456789, 5e-324,
                     std::numeric_limits<double>::max()}) {
        EXPECT_EQ(std::strtod(format_value(v).c_str(), nullptr), v) << format_value(v);
    }
}

TEST(Prometheus, CountersAndGaugesGroupedPerFamily) {
    ExpositionWriter w;
    EXPECT_TRUE(w.counter("jobs_total", "Jobs done.", {{"kind", "a"}}, 3));
    EXPECT_TRUE(w.gauge("temp_celsius", "Temperature.", {}, -1.5));
    EXPECT_TRUE(w.counter("jobs_total", "ignored", {{"kind", "b\"q"}}, 0));
    EXPECT_EQ(w.text(),
              "# HELP jobs_total Jobs done.\n"
              "# TYPE jobs_total counter\n"
              "jobs_total{kind=\"a\"} 3\n"
              "jobs_total{kind=\"b\\\"q\"} 0\n"
              "# HELP temp_celsius Temperature.\n"
              "# TYPE temp_celsius gauge\n"
              "temp_celsius -1.5\n");
    EXPECT_TRUE(w.errors().empty());
}

TEST(Prometheus, HistogramIsCumulativeWithInf) {
    ExpositionWriter w;
    HistogramData d;
    d.upper_bounds = {0.005, 0.1, 1};
    d.counts = {2, 0, 3, 1};  // one above 1 second
    d.sum = 4.25;
    EXPECT_TRUE(w.histogram("q_seconds", "Query time.", {{"operation", "select"}}, d));
    EXPECT_EQ(w.text(),
              "# HELP q_seconds Query time.\n"
              "# TYPE q_seconds histogram\n"
              "q_seconds_bucket{operation=\"select\",le=\"0.005\"} 2\n"
              "q_seconds_bucket{operation=\"select\",le=\"0.1\"} 2\n"
              "q_seconds_bucket{operation=\"select\",le=\"1\"} 5\n"
              "q_seconds_bucket{operation=\"select\",le=\"+Inf\"} 6\n"
              "q_seconds_sum{operation=\"select\"} 4.25\n"
              "q_seconds_count{operation=\"select\"} 6\n");

    ExpositionWriter nolabels;
    HistogramData e;
    e.upper_bounds = {1};
    e.counts = {4};  // no overflow entry
    EXPECT_TRUE(nolabels.histogram("h", "", {}, e));
    EXPECT_EQ(nolabels.text(),
              "# TYPE h histogram\n"
              "h_bucket{le=\"1\"} 4\n"
              "h_bucket{le=\"+Inf\"} 4\n"
              "h_sum 0\n"
              "h_count 4\n");
}

TEST(Prometheus, RefusesInvalidInputAndKeepsOutputValid) {
    ExpositionWriter w;
    EXPECT_FALSE(w.counter("bad-name", "x", {}, 1));
    EXPECT_FALSE(w.counter("c_total", "x", {{"__reserved", "v"}}, 1));
    EXPECT_FALSE(w.counter("c_total", "x", {{"a", "1"}, {"a", "2"}}, 1));
    EXPECT_FALSE(w.counter("c_total", "x", {}, -1));
    EXPECT_FALSE(w.counter("c_total", "x", {}, std::nan("")));
    EXPECT_TRUE(w.counter("c_total", "x", {{"a", "1"}}, 1));
    EXPECT_FALSE(w.counter("c_total", "x", {{"a", "1"}}, 2));  // duplicate series
    EXPECT_FALSE(w.gauge("c_total", "x", {}, 1));              // type clash
    HistogramData d;
    d.upper_bounds = {1, 1};
    d.counts = {1, 1};
    EXPECT_FALSE(w.histogram("h", "x", {}, d));  // bounds not increasing
    d.upper_bounds = {1, std::numeric_limits<double>::infinity()};
    EXPECT_FALSE(w.histogram("h", "x", {}, d));  // +Inf is implicit
    d.upper_bounds = {1, 2};
    d.counts = {1};
    EXPECT_FALSE(w.histogram("h", "x", {}, d));  // counts do not match
    d.counts = {1, 2};
    EXPECT_FALSE(w.histogram("h", "x", {{"le", "1"}}, d));  // reserved label
    EXPECT_TRUE(w.histogram("h", "x", {}, d));
    EXPECT_FALSE(w.gauge("h_count", "x", {}, 1));  // clashes with the histogram's series
    EXPECT_FALSE(w.counter("h_bucket", "x", {}, 1));
    EXPECT_TRUE(w.histogram("c", "x", {}, d));  // c_total is none of c's series
    EXPECT_EQ(w.errors().size(), 13u);
    EXPECT_EQ(w.errors()[0], "invalid metric name \"bad-name\"");
    EXPECT_EQ(w.text().find("bad-name"), std::string::npos);
}

TEST(Prometheus, DeclaredFamilyWithoutSamples) {
    ExpositionWriter w;
    EXPECT_TRUE(w.declare("slow_total", MetricType::Counter, "Slow.\nSecond line"));
    EXPECT_TRUE(w.declare("slow_total", MetricType::Counter, "other help"));
    EXPECT_FALSE(w.declare("slow_total", MetricType::Gauge, "x"));
    EXPECT_EQ(w.text(), "# HELP slow_total Slow.\\nSecond line\n# TYPE slow_total counter\n");
}

TEST(Prometheus, TopN) {
    EXPECT_EQ(top_n({5, 1, 9, 5}, 2),
              (std::vector<bool>{true, false, true, false}));  // tie: earlier
    EXPECT_EQ(top_n({1, 2}, 0), (std::vector<bool>{false, false}));
    EXPECT_EQ(top_n({1, 2}, 5), (std::vector<bool>{true, true}));
    EXPECT_EQ(top_n({std::nan(""), 0}, 1), (std::vector<bool>{false, true}));
}

TEST(Prometheus, LimitCardinalityFoldsIntoOther) {
    std::vector<Sample> in = {
        {{{"op", "select"}, {"model", "users"}}, 10}, {{{"op", "select"}, {"model", "todos"}}, 50},
        {{{"op", "select"}, {"model", "lists"}}, 3},  {{{"op", "update"}, {"model", "lists"}}, 2},
        {{{"op", "select"}, {"model", "tags"}}, 4},
    };
    std::vector<Sample> out = limit_cardinality(in, 2, {"model"});
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0].labels, (Labels{{"op", "select"}, {"model", "users"}}));
    EXPECT_EQ(out[1].labels, (Labels{{"op", "select"}, {"model", "todos"}}));
    EXPECT_EQ(out[2].labels, (Labels{{"op", "select"}, {"model", "other"}}));
    EXPECT_EQ(out[2].value, 7);
    EXPECT_EQ(out[3].labels, (Labels{{"op", "update"}, {"model", "other"}}));
    EXPECT_EQ(out[3].value, 2);

    std::vector<Sample> all = limit_cardinality(in, 1);  // fold every label
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].labels, (Labels{{"op", "other"}, {"model", "other"}}));
    EXPECT_EQ(all[1].value, 19);
    EXPECT_EQ(limit_cardinality(in, 10).size(), in.size());
}

TEST(Prometheus, LimitCardinalityOfHistograms) {
    HistogramData a{{1, 2}, {1, 1, 0}, 2.5};
    HistogramData b{{1, 2}, {0, 3}, 4.0};
    HistogramData c{{1, 2}, {5, 0, 1}, 9.0};
    HistogramData odd{{5}, {1}, 1.0};
    std::vector<HistogramSample> in = {{{{"model", "a"}}, a},
                                       {{{"model", "b"}}, b},
                                       {{{"model", "c"}}, c},
                                       {{{"model", "d"}}, odd}};
    std::vector<HistogramSample> out = limit_cardinality(in, 1);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].labels, (Labels{{"model", "c"}}));
    EXPECT_EQ(out[1].labels, (Labels{{"model", "other"}}));
    EXPECT_EQ(out[1].data.counts, (std::vector<std::uint64_t>{1, 4, 0}));
    EXPECT_EQ(out[1].data.sum, 6.5);  // the odd layout was dropped
}

// The whole output passes `promtool check metrics` (parser and linter).
TEST(Prometheus, PromtoolAcceptsOutput) {
    if (!pothos::test::promtool_available()) GTEST_SKIP() << "promtool not on PATH";
    ExpositionWriter w;
    w.gauge("pothos_database_connections_active", "Active connections.", {}, 3);
    w.gauge("pothos_database_connections_idle", "Idle connections.", {{"application", "caf\xe9"}},
            7);
    HistogramData d{{0.001, 0.01, 0.1, 1, 10}, {5, 9, 2, 1, 0, 1}, 14.75};
    w.histogram("pothos_database_query_duration_seconds", "Statement execution time.",
                {{"operation", "select"}, {"model", "todos"}}, d);
    w.histogram("pothos_database_query_duration_seconds", "",
                {{"operation", "update"}, {"model", "other"}}, d);
    w.counter("pothos_database_queries_total", "Statements executed.",
              {{"operation", "select"}, {"model", "we\"ird\\name\nx"}, {"status", "success"}},
              1234);
    w.counter("pothos_database_slow_queries_total", "Slow statements.", {}, 0);
    w.gauge("pothos_database_cache_hit_ratio", "Cache hit ratio.", {},
            std::numeric_limits<double>::quiet_NaN());
    ASSERT_TRUE(w.errors().empty());

    pothos::test::PromtoolResult r = pothos::test::promtool_check(w.text());
    EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << w.text();
    EXPECT_EQ(r.output, "");
}

// The check above can fail: promtool rejects what the writer must never emit.
TEST(Prometheus, PromtoolRejectsBrokenText) {
    if (!pothos::test::promtool_available()) GTEST_SKIP() << "promtool not on PATH";
    pothos::test::PromtoolResult r = pothos::test::promtool_check("x{a=\"1} 1\n");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("parsing error"), std::string::npos) << r.output;
}

TEST(Prometheus, RebucketMillisecondsIntoSeconds) {
    // Source buckets in ms: <=1, <=5, <=7, <=20, <=+Inf.
    const double bounds[] = {1, 5, 7, 20, std::numeric_limits<double>::infinity()};
    const std::uint64_t counts[] = {3, 2, 4, 1, 6};
    HistogramData d = rebucket(bounds, counts, 5, {0.001, 0.005, 0.01}, 1.5, 0.001);
    EXPECT_EQ(d.upper_bounds, (std::vector<double>{0.001, 0.005, 0.01}));
    // 5 ms * 0.001 is not exactly 0.005 in binary, yet lands in le="0.005".
    EXPECT_EQ(d.counts, (std::vector<std::uint64_t>{3, 2, 4, 7}));
    EXPECT_EQ(d.sum, 1.5);
    ExpositionWriter w;
    EXPECT_TRUE(w.histogram("d_seconds", "", {}, d));
    EXPECT_NE(w.text().find("d_seconds_bucket{le=\"0.01\"} 9\nd_seconds_bucket{le=\"+Inf\"} 16\n"),
              std::string::npos);

    std::vector<double> def = default_duration_buckets();
    ASSERT_FALSE(def.empty());
    EXPECT_TRUE(std::is_sorted(def.begin(), def.end()));
    EXPECT_EQ(rebucket(bounds, counts, 0, def, 0).counts,
              std::vector<std::uint64_t>(def.size() + 1, 0));
}
