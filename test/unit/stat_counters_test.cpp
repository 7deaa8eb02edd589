#include "core/stats/counters.h"

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

TEST(StatCounters, ConsistentAfterAnyRecording) {
    // Times over the whole range (equal ones, zero, sub-microsecond, hours)
    // in a seeded order: what the hooks record always passes the check a
    // statistics file is read back with.
    uint64_t seed = 42;
    auto next = [&seed]() {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        return seed >> 11;
    };
    for (int round = 0; round < 200; round++) {
        StatCounters c;
        c.clear(1000);
        ASSERT_TRUE(counters_consistent(c));
        IoUsage io{};
        io.shared_blks_hit = static_cast<int64_t>(next() % 100);
        io.blk_read_time_ms = 0.25;
        int n = static_cast<int>(next() % 300);
        for (int i = 0; i < n; i++) {
            double ms;
            switch (next() % 4) {
                case 0: ms = 0; break;
                case 1: ms = 1.5; break;
                case 2: ms = static_cast<double>(next() % 1000000) * 1e-6; break;
                default: ms = std::ldexp(static_cast<double>(next() % 1000), static_cast<int>(next() % 40) - 10); break;
            }
            if (next() % 5 == 0)
                c.add_plan(ms, io, 2000);
            else if (next() % 7 == 0)
                c.add_error(2000);
            else
                c.add_exec(ms, static_cast<int64_t>(next() % 10), io, ms > 100, 2000);
        }
        ASSERT_TRUE(counters_consistent(c)) << "round " << round;
    }
}

TEST(StatCounters, InconsistentCountersAreCaught) {
    StatCounters good;
    good.clear(1000);
    IoUsage io{};
    good.add_exec(2.0, 1, io, false, 2000);
    good.add_exec(8.0, 1, io, true, 3000);
    good.add_plan(0.5, io, 3000);
    ASSERT_TRUE(counters_consistent(good));
    auto broken = [&good](auto change) {
        StatCounters c = good;
        change(c);
        return !counters_consistent(c);
    };
    EXPECT_TRUE(broken([](StatCounters& c) { c.calls = 45035996273704960; }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.calls = -1; }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.exec.min = 9.0; }));  // min > max: p50 > p99
    EXPECT_TRUE(broken([](StatCounters& c) { c.exec.max = std::nan(""); }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.exec.mean = 100.0; }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.exec.total = -5.0; }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.exec_hist.counts[7] += 1; }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.slow_calls = 3; }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.plans = 2; }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.plan.min = -1.0; }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.errors = -2; }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.io.shared_blks_read = -1; }));
    EXPECT_TRUE(broken([](StatCounters& c) { c.io.blk_write_time_ms = HUGE_VAL; }));
    StatCounters empty;
    empty.clear(1000);
    empty.exec.max = 3.0;  // a time without a sample
    EXPECT_FALSE(counters_consistent(empty));
}
