// The extension's functions through Client (typed), the error that says what
// to install when the extension is absent, and the client's health.
#include <gtest/gtest.h>

#include <algorithm>

#include <pothos/pothos.hpp>

#include "test_client.hpp"

using namespace std::chrono_literals;
using namespace pothos;
using pothos::test::test_config;
using pothos::test::unique_name;

namespace {

// The client's database with pothos_perf created; skips when the server
// cannot load it.
Config with_extension(std::size_t max = 2) {
    Client probe(test_config(1));
    probe.query("CREATE EXTENSION IF NOT EXISTS pothos_perf");
    probe.query("SELECT pothos_perf.health()");
    return test_config(max);
}

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// A fresh database without the extension, dropped at the end.
struct BareDatabase {
    std::string name = unique_name("noext");
    Client admin{test_config(1)};
    BareDatabase() { admin.query("CREATE DATABASE " + name); }
    ~BareDatabase() {
        try {
            admin.query("DROP DATABASE " + name + " WITH (FORCE)");
        } catch (...) {
        }
    }
    Config config() const {
        Config c = test_config(1);
        const std::string url = pothos::test::database_url();
        c.conninfo = url.substr(0, url.rfind('/') + 1) + name;
        return c;
    }
};

}  // namespace

TEST(Insights, MissingExtensionSaysWhatToInstall) {
    BareDatabase db;
    Client c(db.config());
    try {
        c.get_slow_queries();
        FAIL() << "expected ExtensionMissingError";
    } catch (const ExtensionMissingError& e) {
        EXPECT_EQ(e.function(), "get_slow_queries");
        EXPECT_NE(std::string(e.what()).find("CREATE EXTENSION pothos_perf"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("shared_preload_libraries"), std::string::npos);
    }
    EXPECT_THROW(c.analyze_query("SELECT 1"), ExtensionMissingError);
    EXPECT_THROW(c.analyze_performance("SELECT 1"), ExtensionMissingError);
    EXPECT_THROW(c.introspect_schema(), ExtensionMissingError);
    // Other errors keep their own types.
    EXPECT_THROW(c.query("SELECT * FROM no_such_table_here"), DatabaseError);
    // health() still reports the pool, and why the server part is missing.
    auto h = c.health();
    EXPECT_FALSE(h.server.has_value());
    EXPECT_NE(h.server_error.find("CREATE EXTENSION pothos_perf"), std::string::npos);
    EXPECT_EQ(h.connections.max_connections, 1u);
    EXPECT_EQ(h.connections.total, 1u);
    EXPECT_EQ(h.status, "healthy");
}

TEST(Insights, SlowQueriesAreTyped) {
    Client c(with_extension());
    const std::string marker = unique_name("slowmark");
    {
        auto s = c.session();
        s.query("SET pothos_perf.slow_query_threshold = 20");
        s.query("SELECT pg_sleep(0.06), '" + marker + "' AS m");
    }
    SlowQueryOptions o;
    o.threshold = Millis(30);
    o.limit = 200;
    auto slow = c.get_slow_queries(o);
    auto it = std::find_if(slow.begin(), slow.end(), [&](const SlowQuery& q) {
        return q.query.find("pg_sleep") != std::string::npos;
    });
    ASSERT_NE(it, slow.end());
    EXPECT_GE(it->duration, 50.0);
    EXPECT_GE(it->execution_count, 1);
    EXPECT_GT(it->average_duration, 0.0);
    EXPECT_LT(std::chrono::system_clock::now() - it->timestamp, 5min);
    EXPECT_FALSE(it->params.has_value());
    // Above every recorded duration: nothing.
    o.threshold = Millis(3600 * 1000);
    EXPECT_TRUE(c.get_slow_queries(o).empty());
}

TEST(Insights, AnalyzeQueryAndPerformance) {
    Client c(with_extension());
    auto a = c.analyze_query("SELECT * FROM pg_class");
    EXPECT_EQ(a.original_query, "SELECT * FROM pg_class");
    EXPECT_FALSE(a.improvements.empty() && a.potential_issues.empty());
    auto p = c.analyze_performance("SELECT count(*) FROM pg_class");
    EXPECT_GE(p.execution_time, 0.0);
    EXPECT_GT(p.estimated_cost, 0.0);
    EXPECT_EQ(p.actual_rows, 1.0);
    EXPECT_EQ(p.execution_plan.rfind("[", 0), 0u) << p.execution_plan;
}

TEST(Insights, IntrospectSchemaListsTables) {
    Client c(with_extension());
    const auto t = unique_name("introspected");
    c.query("CREATE TABLE " + t + " (id int PRIMARY KEY, label text)");
    auto s = c.introspect_schema("public");
    EXPECT_TRUE(has(s.tables, t));
    EXPECT_TRUE(std::is_sorted(s.tables.begin(), s.tables.end()));
    EXPECT_NE(s.json.find("\"label\""), std::string::npos);
    c.query("DROP TABLE " + t);
}

TEST(Insights, HealthCombinesThePoolAndTheServer) {
    Client c(with_extension(3));
    auto held = c.session();  // one connection in use
    auto h = c.health();
    EXPECT_EQ(h.connections.active, 1u);
    EXPECT_EQ(h.connections.max_connections, 3u);
    EXPECT_EQ(h.connections.waiting, 0u);
    EXPECT_EQ(h.connections.status, "healthy");
    ASSERT_TRUE(h.server.has_value()) << h.server_error;
    ASSERT_TRUE(h.server_status.has_value());
    EXPECT_NE(h.server->find("\"connections\""), std::string::npos);
    EXPECT_NE(h.server->find("\"database\""), std::string::npos);
    EXPECT_EQ(h.status, *h.server_status);  // the pool is healthy: the server's decides
}
