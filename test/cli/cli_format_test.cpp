// Unit tests of the pothos-perf formatting layer: units, tables, the JSON
// documents (read back with nlohmann/json), the renderers' JSON shapes,
// the Prometheus reader and the HTML report's escaping.
#include <gtest/gtest.h>

#include <cmath>

#include "html_report.hpp"
#include "json_doc.hpp"
#include "prometheus_parse.hpp"
#include "render_json.hpp"
#include "render_text.hpp"
#include "table.hpp"
#include "units.hpp"

using namespace pothos::cli;

namespace {

Json parsed(const std::string& text) {
    auto v = parse_json(text);
    EXPECT_TRUE(v.has_value()) << text;
    return v ? *v : Json{};
}

Statement sample_statement() {
    Statement s;
    s.queryid = -42;
    s.query = "SELECT \"x\"\n FROM t WHERE a = $1";
    s.calls = 1234;
    s.total_ms = 2500;
    s.mean_ms = 2.025;
    s.p50_ms = 1.5;
    s.p95_ms = 7.25;
    s.p99_ms = 12;
    s.rows = 99;
    s.blks_hit = 3;
    s.blks_read = 1;
    return s;
}

}  // namespace

TEST(CliUnits, Durations) {
    EXPECT_EQ(format_ms(0.85), "850 µs");
    EXPECT_EQ(format_ms(2.345), "2.35 ms");
    EXPECT_EQ(format_ms(123.44), "123.4 ms");
    EXPECT_EQ(format_ms(4500), "4.50 s");
    EXPECT_EQ(format_ms(120000), "2.0 min");
    EXPECT_EQ(format_ms(std::nan("")), "-");
}

TEST(CliUnits, BytesCountsPercentages) {
    EXPECT_EQ(format_bytes(512), "512 B");
    EXPECT_EQ(format_bytes(8192), "8.0 kB");
    EXPECT_EQ(format_bytes(3 * 1024 * 1024 / 2), "1.5 MB");
    EXPECT_EQ(format_count(1234567), "1,234,567");
    EXPECT_EQ(format_count(-1000), "-1,000");
    EXPECT_EQ(format_count(7), "7");
    EXPECT_EQ(format_pct(12.345), "12.3 %");
    EXPECT_EQ(format_ratio(0.5), "50.0 %");
    EXPECT_EQ(format_ratio(std::nullopt), "-");
}

TEST(CliUnits, OneLineCutsOnCodePoints) {
    EXPECT_EQ(one_line("a\n  b\tc", 20), "a b c");
    EXPECT_EQ(one_line("abcdef", 4), "abc…");
    EXPECT_EQ(display_width(one_line("µµµµµµ", 4)), 4u);
    EXPECT_EQ(one_line("µµµµµµ", 4), "µµµ…");
}

TEST(CliTable, AlignsColumnsAndChecksRowWidth) {
    TextTable t({{"name"}, {"n", Align::Right}, {"note"}});
    t.add_row({"a", "1", "x"});
    t.add_row({"long name", "1,000", "µs"});
    EXPECT_THROW(t.add_row({"only one"}), std::invalid_argument);
    std::string out = t.render(false);
    EXPECT_EQ(out,
              "name           n  note\n"
              "---------  -----  ----\n"
              "a              1  x\n"
              "long name  1,000  µs\n");
    EXPECT_EQ(out.find('\x1b'), std::string::npos);
    EXPECT_NE(t.render(true).find("\x1b[1m"), std::string::npos);
}

TEST(CliJson, EscapesNumbersAndLayout) {
    Json doc = {{"s", json_text("quote \" backslash \\ newline \n tab \t ctl \x01")},
                {"n", json_number(1.5)},
                {"whole", json_number(2185.0)},
                {"i", std::int64_t(-9007199254740993LL)},
                {"nan", json_number(std::nan(""))},
                {"inf", json_number(HUGE_VAL)},
                {"none", json_number(std::optional<double>())},
                {"b", true},
                {"empty", Json::array()},
                {"o", {{"x", nullptr}}}};
    std::string text = json_document(doc);
    Json v = parsed(text);
    EXPECT_EQ(v["s"], "quote \" backslash \\ newline \n tab \t ctl \x01");
    EXPECT_EQ(v["n"], 1.5);
    EXPECT_TRUE(v["nan"].is_null() && v["inf"].is_null() && v["none"].is_null());
    EXPECT_EQ(v["b"], true);
    EXPECT_EQ(v["empty"].size(), 0u);
    EXPECT_TRUE(v["o"]["x"].is_null());
    EXPECT_NE(text.find("-9007199254740993"), std::string::npos);
    // Keys in the order given, two spaces of indentation, whole numbers
    // without a fraction, control characters escaped, one final newline.
    EXPECT_EQ(text.rfind("{\n  \"s\": \"quote", 0), 0u) << text;
    EXPECT_NE(text.find("\\u0001"), std::string::npos);
    EXPECT_NE(text.find("\"whole\": 2185,"), std::string::npos) << text;
    EXPECT_NE(text.find("\"empty\": [],\n  \"o\": {\n    \"x\": null\n  }\n}\n"), std::string::npos) << text;
    EXPECT_LT(text.find("\"s\""), text.find("\"n\""));
}

TEST(CliJson, ServerJsonKeepsItsOrderAndRefusesGarbage) {
    Json h = json_from_server(R"({"status": "ok", "reasons": [], "database": {"name": "x"}})", "health()");
    EXPECT_EQ(h.begin().key(), "status");
    EXPECT_TRUE(json_from_server("", "health()").is_null());
    EXPECT_THROW(json_from_server("{not json", "health()"), std::runtime_error);
    EXPECT_FALSE(parse_json("[1,").has_value());
}

TEST(CliRenderJson, TopShape) {
    Json v = parsed(json_top({sample_statement()}));
    const Json& rows = v["statements"];
    ASSERT_TRUE(rows.is_array());
    ASSERT_EQ(rows.size(), 1u);
    const Json& s = rows[0];
    for (const char* k : {"queryid", "query", "calls", "total_ms", "mean_ms", "p50_ms", "p95_ms",
                          "p99_ms", "rows", "shared_blks_hit", "shared_blks_read", "hit_ratio"})
        EXPECT_TRUE(s.contains(k)) << k;
    EXPECT_EQ(s["hit_ratio"], 0.75);
    EXPECT_EQ(s["queryid"], -42);
    EXPECT_EQ(s["query"], sample_statement().query);
}

TEST(CliRenderJson, ReportAndExplainShapes) {
    Report r;
    r.database = "db";
    r.generated_at = "now";
    r.top = {sample_statement()};
    r.health_json = R"({"status": "healthy"})";
    Nplus1 f;
    f.kind = "n_plus_one";
    f.round_trips_saved = 99;
    r.n_plus_one = {f};
    IndexRecommendation x;
    x.table_name = "t";
    x.columns = {"a", "b"};
    x.index_ddl = "CREATE INDEX CONCURRENTLY ON t (a, b)";
    r.recommendations = {x};
    Json v = parsed(json_report(r));
    for (const char* k : {"database", "generated_at", "statements", "slow_queries", "findings",
                          "recommendations", "health"})
        EXPECT_TRUE(v.contains(k)) << k;
    EXPECT_EQ(v["health"]["status"], "healthy");
    EXPECT_EQ(v["recommendations"][0]["columns"][1], "b");
    EXPECT_EQ(v["findings"][0]["round_trips_saved"], 99);

    Explain e;
    e.query = "SELECT 1";
    e.plan_json = R"([{"Plan": {"Node Type": "Result"}}])";
    Json ev = parsed(json_explain(e));
    EXPECT_EQ(ev["performance"]["plan"][0]["Plan"]["Node Type"], "Result");
    e.plan_json.clear();
    EXPECT_TRUE(parsed(json_explain(e))["performance"]["plan"].is_null());
    e.plan_json = "[{\"Plan\": ";
    EXPECT_THROW(json_explain(e), std::runtime_error);

    std::vector<std::string> applied = {"CREATE INDEX CONCURRENTLY ON t (a, b)"};
    Json av = parsed(json_advise({x}, &applied));
    EXPECT_EQ(av["applied"].size(), 1u);
    EXPECT_FALSE(parsed(json_advise({x}, nullptr)).contains("applied"));
}

// A finding with two lookups per parent row lists both, each with its batch.
TEST(CliRenderText, InterleavedLookupsAreAllListed) {
    Nplus1 f;
    f.kind = "n_plus_one";
    f.parent_query = "SELECT id FROM lists";
    f.query = "SELECT * FROM users WHERE id = $1";
    f.suggested_query = "SELECT id, * FROM users WHERE id = ANY($1::int[])";
    f.children = {{11, f.query, 5, f.suggested_query},
                  {12, "SELECT * FROM todos WHERE list_id = $1", 5,
                   "SELECT list_id, * FROM todos WHERE list_id = ANY($1::int[])"}};
    TextStyle st;
    std::string out = text_n_plus_one({f}, st);
    EXPECT_NE(out.find("and:       SELECT * FROM todos WHERE list_id = $1 (5 repeats)"), std::string::npos) << out;
    EXPECT_NE(out.find("batch as:  SELECT list_id, * FROM todos WHERE list_id = ANY($1::int[])"), std::string::npos)
        << out;
    Json v = parsed(json_n_plus_one({f}));
    const Json& children = v["findings"][0]["children"];
    ASSERT_EQ(children.size(), 2u);
    EXPECT_EQ(children[1]["queryid"], 12);
    EXPECT_EQ(children[1]["query"], "SELECT * FROM todos WHERE list_id = $1");
    EXPECT_EQ(children[1]["total_repeats"], 5);
}

TEST(CliRenderText, EmptySectionsAndHealth) {
    TextStyle st;
    EXPECT_NE(text_top({}, st).find("no statements"), std::string::npos);
    EXPECT_NE(text_advise({}, st).find("no index recommendations"), std::string::npos);
    std::string h = text_health(R"({"status":"ok","performance":{"avg_ms":1.5}})", st);
    EXPECT_NE(h.find("performance.avg_ms"), std::string::npos);
    EXPECT_NE(h.find("1.5 ms"), std::string::npos);
    EXPECT_THROW(text_health("{not json", st), std::runtime_error);
    std::string top = text_top({sample_statement()}, st);
    EXPECT_NE(top.find("2.50 s"), std::string::npos);
    EXPECT_NE(top.find("75.0 %"), std::string::npos);
    EXPECT_NE(top.find("1,234"), std::string::npos);
}

TEST(CliPrometheus, ParsesSamplesAndRejectsGarbage) {
    auto s = parse_prometheus(
        "# HELP x help\n# TYPE x counter\nx 3\n"
        "y_bucket{le=\"0.5\",op=\"sel\\\"ect\"} 7\nz{} +Inf\n\n");
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].name, "x");
    EXPECT_EQ(s[0].value, 3);
    ASSERT_EQ(s[1].labels.size(), 2u);
    EXPECT_EQ(s[1].labels[1].second, "sel\"ect");
    EXPECT_TRUE(std::isinf(s[2].value));
    EXPECT_THROW(parse_prometheus("x{le=\"1\" 3\n"), std::invalid_argument);
    EXPECT_THROW(parse_prometheus("x abc\n"), std::invalid_argument);
    EXPECT_THROW(parse_prometheus("{} 1\n"), std::invalid_argument);
    Json v = parsed(json_metrics(s));
    EXPECT_EQ(v["samples"][1]["labels"]["le"], "0.5");
    EXPECT_TRUE(v["samples"][2]["value"].is_null());  // +Inf
}

TEST(CliHtml, EscapesEverythingAndChartsScale) {
    EXPECT_EQ(xml_escape("<a href=\"x\">&'</a>\x01"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt; ");
    Report r;
    r.database = "db<&>";
    Statement s = sample_statement();
    s.query = "SELECT '<script>' && 1";
    r.top = {s};
    r.health_json = "{}";
    std::string html = html_report(r);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
    EXPECT_NE(html.find("<svg"), std::string::npos);
    std::string svg = svg_bar_chart("t", {"a"}, {{"big", {10}}, {"half", {5}}}, " ms");
    EXPECT_NE(svg.find("width=\"420\""), std::string::npos);  // the largest bar fills the plot
    EXPECT_NE(svg.find("width=\"210\""), std::string::npos);  // half of it
}

TEST(CliHtml, ChartsHaveVisibleTitlesAndHealthIsATable) {
    std::string svg = svg_bar_chart("Share <of> time", {"a"}, {{"x", {1}}}, " %");
    EXPECT_NE(svg.find("<text class=\"chart-title\" x=\"0\" y=\"16\" font-size=\"14\" "
                       "font-weight=\"bold\">Share &lt;of&gt; time</text>"),
              std::string::npos);
    std::string h = html_health(R"({"status":"ok","connections":{"active":7},"mean_ms":1.5})");
    EXPECT_EQ(h, "<table class=\"health\">\n<tr><th>measure</th><th>value</th></tr>\n"
                 "<tr><td>status</td><td>ok</td></tr>\n"
                 "<tr><td>connections.active</td><td>7</td></tr>\n"
                 "<tr><td>mean_ms</td><td>1.5 ms</td></tr>\n</table>\n");
    EXPECT_EQ(html_health("not json <"), "<pre>not json &lt;</pre>\n");
    Report r;
    r.health_json = R"({"status":"ok"})";
    std::string html = html_report(r);
    EXPECT_NE(html.find("<h2>Health</h2>\n<table class=\"health\">"), std::string::npos);
}

TEST(CliUnits, WrapBreaksAtSpaces) {
    EXPECT_EQ(wrap("aa bb cc", 5, "> "), "> aa bb\n> cc\n");
    EXPECT_EQ(wrap("averyveryverylongword x", 5, ""), "averyveryverylongword\nx\n");
    EXPECT_EQ(wrap("", 5, "  "), "");
}

TEST(CliUnits, InvalidUtf8IsReplacedInJsonAndXml) {
    EXPECT_EQ(valid_utf8("ok µ €"), "ok µ €");
    EXPECT_EQ(valid_utf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
    EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    EXPECT_EQ(valid_utf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated
    EXPECT_EQ(valid_utf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
    std::string doc = json_document(json_text("bad \xfe byte"));
    EXPECT_EQ(doc, "\"bad \xEF\xBF\xBD byte\"\n");
    EXPECT_TRUE(parse_json(doc).has_value());
    EXPECT_EQ(xml_escape("x\xff"), "x\xEF\xBF\xBD");
}

TEST(CliRenderJson, MissingServerJsonIsNull) {
    EXPECT_TRUE(parsed(json_health(""))["health"].is_null());
    Report r;
    EXPECT_TRUE(parsed(json_report(r))["health"].is_null());
    EXPECT_NO_THROW(text_report(r, TextStyle{}));
}

TEST(CliHtml, LogScaleKeepsSmallBarsVisible) {
    std::string lin = svg_bar_chart("t", {"a"}, {{"big", {1000}}, {"small", {1}}}, "");
    std::string log = svg_bar_chart("t", {"a"}, {{"big", {1000}}, {"small", {1}}}, "", Scale::Log);
    EXPECT_NE(lin.find("width=\"420\""), std::string::npos);
    EXPECT_NE(log.find("width=\"420\""), std::string::npos);
    // linear: 1/1000 of 420 rounds to 0, drawn 1 wide; log: log10(11)/log10(10001) of 420 = 109
    EXPECT_NE(lin.find("width=\"1\""), std::string::npos);
    EXPECT_NE(log.find("width=\"109\""), std::string::npos) << log;
}
