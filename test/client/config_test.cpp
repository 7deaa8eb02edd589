// Configuration from environment variables; bad values name the variable.
#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include <pothos/client.hpp>
#include <pothos/config.hpp>
#include <pothos/errors.hpp>

using pothos::Config;
using pothos::ConfigError;

namespace {
Config from(const std::map<std::string, std::string>& env) {
    return Config::from_env([&](const char* name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    });
}

void expect_refused(const std::map<std::string, std::string>& env, const std::string& variable) {
    try {
        from(env);
        FAIL() << "accepted a bad " << variable;
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.variable(), variable);
        EXPECT_NE(std::string(e.what()).find(variable), std::string::npos);
    }
}
}  // namespace

TEST(Config, ReadsTheSeedVariables) {
    auto c = from({{"DATABASE_URL", "postgresql://u@h/db"},
                   {"DB_POOL_MIN", "2"},
                   {"DB_POOL_MAX", "20"},
                   {"DB_POOL_IDLE_TIMEOUT", "1000"},
                   {"DB_POOL_CONNECTION_TIMEOUT", "250"},
                   {"DB_PREPARED_STATEMENTS", "false"},
                   {"DB_MAX_PREPARED_STATEMENTS", "7"},
                   {"DB_QUERY_CACHE_SIZE", "11"},
                   {"DB_SLOW_QUERY_THRESHOLD", "300"},
                   {"DB_ENABLE_METRICS", "0"},
                   {"DB_LOG_SLOW_QUERIES", "off"},
                   {"DB_LOG_QUERIES", "true"},
                   {"DB_QUERY_ANALYSIS", "yes"},
                   {"DB_ENABLE_PERFORMANCE_INSIGHTS", "TRUE"},
                   {"DEBUG", "db:*"},
                   {"DATABASE_REPLICA_URLS", "postgresql://r1/db, postgresql://r2/db"}});
    EXPECT_EQ(c.conninfo, "postgresql://u@h/db");
    EXPECT_EQ(c.pool.min, 2u);
    EXPECT_EQ(c.pool.max, 20u);
    EXPECT_EQ(c.pool.idle_timeout.count(), 1000);
    EXPECT_EQ(c.pool.acquire_timeout.count(), 250);
    EXPECT_EQ(c.pool.create_timeout.count(), 250);
    EXPECT_FALSE(c.prepared_statements);
    EXPECT_EQ(c.max_prepared_statements, 7u);
    EXPECT_EQ(c.query_cache_size, 11u);
    EXPECT_EQ(c.slow_query_threshold.count(), 300);
    EXPECT_FALSE(c.enable_metrics);
    EXPECT_FALSE(c.log_slow_queries);
    EXPECT_TRUE(c.log_queries);
    EXPECT_TRUE(c.query_analysis);
    EXPECT_TRUE(c.performance_insights);
    EXPECT_EQ(c.debug, "db:*");
    ASSERT_EQ(c.replicas.size(), 2u);
    EXPECT_EQ(c.replicas[1], "postgresql://r2/db");
}

TEST(Config, BuildsConninfoFromPostgresVariables) {
    auto c = from({{"POSTGRES_HOST", "db.local"},
                   {"POSTGRES_PORT", "5433"},
                   {"POSTGRES_USER", "app"},
                   {"POSTGRES_PASSWORD", "it's"},
                   {"POSTGRES_DB", "todo"}});
    EXPECT_EQ(c.conninfo, "host='db.local' port='5433' user='app' password='it\\'s' dbname='todo' ");
}

TEST(Config, DefaultsWhenUnset) {
    auto c = from({});
    EXPECT_EQ(c.pool.max, 10u);
    EXPECT_EQ(c.pool.min, 0u);
    EXPECT_TRUE(c.prepared_statements);
    EXPECT_TRUE(c.enable_metrics);
    EXPECT_TRUE(c.pool.enable_health_check);
    EXPECT_EQ(c.pool.health_check_interval.count(), 30000);
}

TEST(Config, HealthCheckSwitchAndInterval) {
    auto off = from({{"DB_HEALTH_CHECK", "off"}, {"DB_HEALTH_CHECK_INTERVAL", "5000"}});
    EXPECT_FALSE(off.pool.enable_health_check);
    EXPECT_EQ(off.pool.health_check_interval.count(), 5000);
    EXPECT_TRUE(from({{"DB_HEALTH_CHECK", "true"}}).pool.enable_health_check);
    expect_refused({{"DB_HEALTH_CHECK", "sometimes"}}, "DB_HEALTH_CHECK");
    expect_refused({{"DB_HEALTH_CHECK_INTERVAL", "0"}}, "DB_HEALTH_CHECK_INTERVAL");
}

TEST(Config, RefusesBadValuesNamingTheVariable) {
    expect_refused({{"DB_POOL_MAX", "ten"}}, "DB_POOL_MAX");
    expect_refused({{"DB_POOL_MAX", "0"}}, "DB_POOL_MAX");
    expect_refused({{"DB_POOL_MAX", "-3"}}, "DB_POOL_MAX");
    expect_refused({{"DB_POOL_MIN", "5"}, {"DB_POOL_MAX", "2"}}, "DB_POOL_MIN");
    expect_refused({{"DB_POOL_IDLE_TIMEOUT", "1.5"}}, "DB_POOL_IDLE_TIMEOUT");
    expect_refused({{"DB_POOL_CONNECTION_TIMEOUT", ""}}, "DB_POOL_CONNECTION_TIMEOUT");
    expect_refused({{"DB_PREPARED_STATEMENTS", "maybe"}}, "DB_PREPARED_STATEMENTS");
    expect_refused({{"DB_MAX_PREPARED_STATEMENTS", "99999999999999999999999"}}, "DB_MAX_PREPARED_STATEMENTS");
    expect_refused({{"DB_QUERY_CACHE_SIZE", "x"}}, "DB_QUERY_CACHE_SIZE");
    expect_refused({{"DB_SLOW_QUERY_THRESHOLD", "fast"}}, "DB_SLOW_QUERY_THRESHOLD");
    expect_refused({{"DB_ENABLE_METRICS", "2"}}, "DB_ENABLE_METRICS");
    expect_refused({{"DB_LOG_SLOW_QUERIES", "sometimes"}}, "DB_LOG_SLOW_QUERIES");
    expect_refused({{"DB_QUERY_ANALYSIS", "?"}}, "DB_QUERY_ANALYSIS");
    expect_refused({{"DB_ENABLE_PERFORMANCE_INSIGHTS", "x"}}, "DB_ENABLE_PERFORMANCE_INSIGHTS");
    expect_refused({{"DB_LOG_QUERIES", "x"}}, "DB_LOG_QUERIES");
    expect_refused({{"POSTGRES_PORT", "70000"}}, "POSTGRES_PORT");
}

// A malformed DATABASE_URL used to be accepted: the first query then waited
// the whole acquire timeout (30 s by default) and failed as a pool timeout.
TEST(Config, MalformedUrlsAreRefusedWhenTheConfigurationIsBuilt) {
    for (const char* url : {"postgresql://[::1:5432/db", "postgresql://h/db?option=x",
                            "mysql://u@h/db", "postgresql://h/db?sslmode=sometimes",
                            "postgresql://h:99999/db", "host=a,b port=1,2,3"}) {
        const auto t0 = std::chrono::steady_clock::now();
        expect_refused({{"DATABASE_URL", url}}, "DATABASE_URL");
        EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(100)) << url;
    }
    expect_refused({{"DATABASE_URL", "postgresql://h/db"},
                    {"DATABASE_REPLICA_URLS", "postgresql://r1/db, postgresql://[::1/db"}},
                   "DATABASE_REPLICA_URLS");
    // The message is libpq's own.
    try {
        from({{"DATABASE_URL", "postgresql://h/db?option=x"}});
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("option"), std::string::npos) << e.what();
    }
}

TEST(Config, ClientAndPoolRefuseAMalformedConninfoAtOnce) {
    pothos::Config c;
    c.conninfo = "postgresql://[::1:5432/db";
    const auto t0 = std::chrono::steady_clock::now();
    try {
        pothos::Client client(c);
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.variable(), "conninfo");
    }
    pothos::PoolOptions o;
    o.conninfo = "mysql://u@h/db";
    EXPECT_THROW(pothos::Pool pool(o), ConfigError);
    c.conninfo = "postgresql://h/db";
    c.replicas = {"postgresql://r/db?nonsense=1"};
    try {
        pothos::Client client(c);
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.variable(), "replicas");
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));
    // A well-formed one is accepted (no connection is made yet).
    c.replicas.clear();
    c.conninfo = "host=127.0.0.1 port=1 dbname=x connect_timeout=2 sslmode=disable";
    EXPECT_NO_THROW(pothos::Client client(c));
}

TEST(Config, ReadsTheRealEnvironment) {
    ::setenv("DB_POOL_MAX", "bogus", 1);
    EXPECT_THROW(Config::from_env(), ConfigError);
    ::setenv("DB_POOL_MAX", "3", 1);
    EXPECT_EQ(Config::from_env().pool.max, 3u);
    ::unsetenv("DB_POOL_MAX");
}
