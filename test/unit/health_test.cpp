#include "core/health/health.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace pothos::core;

namespace {

HealthInput calm() {
    HealthInput in;
    in.connections_total = 10;
    in.connections_active = 2;
    in.connections_idle = 8;
    in.max_connections = 100;
    in.average_query_time_ms = 3.5;
    in.slow_queries_last_hour = 0;
    in.cache_hit_ratio = 0.99;
    in.cache_block_accesses = 100000;
    in.locks_total = 12;
    return in;
}

}  // namespace

TEST(Health, StatusNames) {
    EXPECT_STREQ(health_status_name(HealthStatus::Healthy), "healthy");
    EXPECT_STREQ(health_status_name(HealthStatus::Degraded), "degraded");
    EXPECT_STREQ(health_status_name(HealthStatus::Unhealthy), "unhealthy");
}

TEST(Health, CalmServerIsHealthy) {
    HealthReport r = evaluate_health(calm());
    EXPECT_EQ(r.status, HealthStatus::Healthy);
    EXPECT_TRUE(r.reasons.empty());
}

TEST(Health, ConnectionBoundaries) {
    HealthInput in = calm();
    in.connections_total = 79;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Healthy);
    in.connections_total = 80;
    HealthReport r = evaluate_health(in);
    EXPECT_EQ(r.status, HealthStatus::Degraded);
    EXPECT_EQ(r.connections_status, HealthStatus::Degraded);
    EXPECT_EQ(r.database_status, HealthStatus::Healthy);
    ASSERT_EQ(r.reasons.size(), 1u);
    EXPECT_EQ(r.reasons[0],
              "degraded: connections at 80% of max_connections (80 of 100) (degraded at 80%)");
    in.connections_total = 94;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Degraded);
    in.connections_total = 95;
    r = evaluate_health(in);
    EXPECT_EQ(r.status, HealthStatus::Unhealthy);
    EXPECT_EQ(r.reasons[0],
              "unhealthy: connections at 95% of max_connections (95 of 100) (unhealthy at 95%)");
    // Boundaries that are not whole percentages: 19 of 20 is exactly 95 %.
    in.max_connections = 20;
    in.connections_total = 19;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Unhealthy);
    in.connections_total = 18;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Degraded);
    // Unknown max_connections: no verdict on connections.
    in.max_connections = 0;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Healthy);
}

TEST(Health, CacheHitRatioBoundaries) {
    HealthInput in = calm();
    in.cache_hit_ratio = 0.90;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Healthy);
    in.cache_hit_ratio = 0.8999;
    HealthReport r = evaluate_health(in);
    EXPECT_EQ(r.status, HealthStatus::Degraded);
    EXPECT_EQ(r.database_status, HealthStatus::Degraded);
    ASSERT_EQ(r.reasons.size(), 1u);
    EXPECT_EQ(r.reasons[0], "degraded: cache hit ratio 89.99% (degraded below 90%)");
    in.cache_hit_ratio = 0.80;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Degraded);
    in.cache_hit_ratio = 0.7999;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Unhealthy);
    // Too few block accesses to judge, or no ratio at all.
    in.cache_block_accesses = 999;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Healthy);
    in.cache_block_accesses.reset();  // unknown count: judged
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Unhealthy);
    in.cache_hit_ratio.reset();
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Healthy);
}

TEST(Health, QueryTimeAndSlowQueries) {
    HealthInput in = calm();
    in.average_query_time_ms = 499.99;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Healthy);
    in.average_query_time_ms = 500;
    HealthReport r = evaluate_health(in);
    EXPECT_EQ(r.performance_status, HealthStatus::Degraded);
    EXPECT_EQ(r.reasons[0], "degraded: average query time 500 ms (degraded at 500 ms)");
    in.average_query_time_ms = 2000;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Unhealthy);

    in = calm();
    in.slow_queries_last_hour = 9;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Healthy);
    in.slow_queries_last_hour = 10;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Degraded);
    in.slow_queries_last_hour = 100;
    r = evaluate_health(in);
    EXPECT_EQ(r.status, HealthStatus::Unhealthy);
    EXPECT_EQ(r.reasons[0], "unhealthy: 100 slow queries in the last hour (unhealthy at 100)");
}

TEST(Health, LocksDeadlocksAndTransactions) {
    HealthInput in = calm();
    in.deadlocks = 1;
    HealthReport r = evaluate_health(in);
    EXPECT_EQ(r.database_status, HealthStatus::Degraded);
    EXPECT_EQ(r.reasons[0], "degraded: 1 deadlock (degraded at 1)");
    in.deadlocks = 10;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Unhealthy);

    in = calm();
    in.locks_waiting = 4;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Healthy);
    in.locks_waiting = 5;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Degraded);
    in.locks_waiting = 50;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Unhealthy);

    in = calm();
    in.connections_idle_in_transaction = 5;
    r = evaluate_health(in);
    EXPECT_EQ(r.connections_status, HealthStatus::Degraded);
    EXPECT_EQ(r.reasons[0], "degraded: 5 sessions idle in transaction (degraded at 5)");

    in = calm();
    in.longest_transaction_seconds = 299.5;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Healthy);
    in.longest_transaction_seconds = 300;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Degraded);
    in.longest_transaction_seconds = 3600;
    EXPECT_EQ(evaluate_health(in).status, HealthStatus::Unhealthy);
}

TEST(Health, WorstCheckWinsAndReasonsKeepOrder) {
    HealthInput in = calm();
    in.connections_total = 85;
    in.cache_hit_ratio = 0.5;
    in.slow_queries_last_hour = 12;
    HealthReport r = evaluate_health(in);
    EXPECT_EQ(r.status, HealthStatus::Unhealthy);
    EXPECT_EQ(r.connections_status, HealthStatus::Degraded);
    EXPECT_EQ(r.performance_status, HealthStatus::Degraded);
    EXPECT_EQ(r.database_status, HealthStatus::Unhealthy);
    ASSERT_EQ(r.reasons.size(), 3u);
    EXPECT_EQ(r.reasons[0].rfind("degraded: connections", 0), 0u);
    EXPECT_EQ(r.reasons[1].rfind("degraded: 12 slow queries", 0), 0u);
    EXPECT_EQ(r.reasons[2].rfind("unhealthy: cache hit ratio 50%", 0), 0u);
}

TEST(Health, ZeroThresholdSwitchesALevelOff) {
    HealthInput in = calm();
    in.deadlocks = 50;
    HealthThresholds t;
    t.deadlocks_unhealthy = 0;
    EXPECT_EQ(evaluate_health(in, t).status, HealthStatus::Degraded);
    t.deadlocks_degraded = 0;
    EXPECT_EQ(evaluate_health(in, t).status, HealthStatus::Healthy);
    in = calm();
    in.cache_hit_ratio = 0.1;
    t.cache_hit_degraded = 0;
    t.cache_hit_unhealthy = 0;
    EXPECT_EQ(evaluate_health(in, t).status, HealthStatus::Healthy);
}

TEST(Health, ExtremeNumbersAreWrittenOut) {
    HealthInput in = calm();
    in.average_query_time_ms = 1e100;
    HealthReport r = evaluate_health(in);
    ASSERT_EQ(r.reasons.size(), 1u);
    EXPECT_EQ(r.reasons[0], "unhealthy: average query time 1e+100 ms (unhealthy at 2000 ms)");
    in.average_query_time_ms = -1.7976931348623157e308;
    in.longest_transaction_seconds = 1.7976931348623157e308;
    r = evaluate_health(in);
    ASSERT_EQ(r.reasons.size(), 1u);
    EXPECT_EQ(r.reasons[0],
              "unhealthy: oldest open transaction 1.7976931348623157e+308 s (unhealthy at 3600 s)");
    in = calm();
    in.average_query_time_ms = 999999999999999.0;  // just below the exponent form
    EXPECT_EQ(evaluate_health(in).reasons.at(0),
              "unhealthy: average query time 999999999999999 ms (unhealthy at 2000 ms)");
    in.average_query_time_ms = 1e15;
    EXPECT_EQ(evaluate_health(in).reasons.at(0), "unhealthy: average query time 1e+15 ms (unhealthy at 2000 ms)");
    in = calm();
    in.cache_hit_ratio = -1e300;  // a percentage beyond every fixed-point buffer
    EXPECT_EQ(evaluate_health(in).reasons.at(0), "unhealthy: cache hit ratio -1e+302% (unhealthy below 80%)");
}
