#include "core/stat_counters.h"

#include <gtest/gtest.h>

#include <cmath>
#include <unordered_set>

using namespace pothos::core;

TEST(StatCounters, ExecAccumulates) {
    StatCounters c;
    c.clear(1000);
    IoUsage io{};
    io.shared_blks_hit = 3;
    io.wal_bytes = 100;
    c.add_exec(2.0, 5, io, false, 2000);
    c.add_exec(4.0, 1, io, true, 3000);
    c.add_exec(6.0, 0, io, false, 4000);
    EXPECT_EQ(c.calls, 3);
    EXPECT_EQ(c.rows, 6);
    EXPECT_EQ(c.slow_calls, 1);
    EXPECT_DOUBLE_EQ(c.exec.total, 12.0);
    EXPECT_DOUBLE_EQ(c.exec.min, 2.0);
    EXPECT_DOUBLE_EQ(c.exec.max, 6.0);
    EXPECT_DOUBLE_EQ(c.exec.mean, 4.0);
    EXPECT_NEAR(c.exec.stddev(), std::sqrt(8.0 / 3.0), 1e-12);
    EXPECT_EQ(c.io.shared_blks_hit, 9);
    EXPECT_EQ(c.io.wal_bytes, 300u);
    EXPECT_EQ(c.first_seen, 1000);
    EXPECT_EQ(c.last_seen, 4000);
    EXPECT_EQ(c.exec_hist.total(), 3u);
    EXPECT_LE(c.exec_percentile(0.5), c.exec_percentile(0.95));
    EXPECT_LE(c.exec_percentile(0.99), c.exec.max);
}

TEST(StatCounters, PlanAndErrorsAreSeparate) {
    StatCounters c;
    c.clear(0);
    c.add_plan(0.5, IoUsage{}, 10);
    c.add_error(20);
    EXPECT_EQ(c.plans, 1);
    EXPECT_EQ(c.calls, 0);
    EXPECT_EQ(c.errors, 1);
    EXPECT_DOUBLE_EQ(c.plan.total, 0.5);
    EXPECT_EQ(c.exec_hist.total(), 0u);
    EXPECT_EQ(c.last_seen, 20);
}

TEST(StatKeyHash, DistinguishesEveryField) {
    std::unordered_set<uint32_t> seen;
    seen.insert(hash_key({1, 1, 1, 1, 0}));
    seen.insert(hash_key({2, 1, 1, 1, 0}));
    seen.insert(hash_key({1, 2, 1, 1, 0}));
    seen.insert(hash_key({1, 1, 2, 1, 0}));
    seen.insert(hash_key({1, 1, 1, 0, 0}));
    EXPECT_EQ(seen.size(), 5u);
}
