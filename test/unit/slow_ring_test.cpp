#include "core/slow/aggregate.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace pothos::core;

namespace {

constexpr int64_t kMin = 60LL * 1000000LL;

struct Ring {
    std::vector<char> mem;
    SlowRing ring;
    Ring(uint32_t cap, uint32_t text_cap = 32, uint32_t plan_cap = 16, uint32_t params_cap = 8)
        : mem(SlowRing::required_bytes(cap, text_cap, plan_cap, params_cap)) {
        ring = SlowRing::create(mem.data(), cap, text_cap, plan_cap, params_cap);
    }
};

SlowInput input(uint64_t queryid, double ms, int64_t at, const char* text,
                const char* plan = nullptr, const char* params = nullptr,
                const char* recs = nullptr) {
    SlowInput in;
    std::memset(&in.head, 0, sizeof in.head);
    in.head.queryid = queryid;
    in.head.duration_ms = ms;
    in.head.occurred_at = at;
    in.head.userid = 10;
    in.head.dbid = 5;
    in.head.rows = 3;
    std::strcpy(in.head.application_name, "app");
    in.text = text;
    in.text_len = std::strlen(text);
    if (plan) in.plan = plan, in.plan_len = std::strlen(plan);
    if (params) in.params = params, in.params_len = std::strlen(params);
    if (recs) in.recommendations = recs, in.recommendations_len = std::strlen(recs);
    return in;
}

}  // namespace

TEST(SlowRing, KeepsTheMostRecentAndCutsStrings) {
    Ring r(3);
    for (int i = 1; i <= 5; i++) {
        std::string t = "SELECT " + std::to_string(i) + " -- a long comment that is cut here";
        r.ring.push(input(i, i * 10.0, i * kMin, t.c_str(), "Seq Scan on a long plan", "$1 = '123456789'"));
    }
    ASSERT_EQ(r.ring.size(), 3u);
    EXPECT_EQ(r.ring.record(0).queryid, 3u);
    EXPECT_EQ(r.ring.record(2).queryid, 5u);
    EXPECT_EQ(std::string(r.ring.text(2)), std::string("SELECT 5 -- a long comment that ").substr(0, 32));
    EXPECT_EQ(r.ring.record(2).text_len, 32u);
    EXPECT_EQ(std::string(r.ring.plan(2)), "Seq Scan on a lo");
    EXPECT_EQ(std::string(r.ring.params(2)), "$1 = '12");
    EXPECT_STREQ(r.ring.record(1).application_name, "app");
}

TEST(SlowRing, CountsPerMinuteOverTheLastHour) {
    Ring r(2);
    int64_t base = 1000 * kMin;
    r.ring.push(input(1, 5, base - 90 * kMin, "old"));
    r.ring.push(input(1, 5, base - 30 * kMin, "a"));
    r.ring.push(input(1, 5, base - 30 * kMin + 1, "b"));
    r.ring.push(input(2, 5, base, "c"));
    EXPECT_EQ(r.ring.count_since(base, 3600), 3u);
    EXPECT_EQ(r.ring.count_since(base, 60), 1u);
    EXPECT_EQ(r.ring.count_since(base + 61 * kMin, 3600), 0u);
    r.ring.clear();
    EXPECT_EQ(r.ring.size(), 0u);
    EXPECT_EQ(r.ring.count_since(base, 3600), 0u);
}

TEST(SlowRing, ZeroCapacityOnlyCounts) {
    Ring r(0);
    r.ring.push(input(1, 5, kMin, "x"));
    EXPECT_EQ(r.ring.size(), 0u);
    EXPECT_EQ(r.ring.count_since(kMin, 60), 1u);
}

TEST(SlowRing, AttachRefusesUnformattedMemory) {
    std::vector<char> mem(SlowRing::required_bytes(1, 8, 8, 8), 0);
    EXPECT_FALSE(SlowRing::attach(mem.data()).valid());
    SlowRing::create(mem.data(), 1, 8, 8, 8);
    EXPECT_TRUE(SlowRing::attach(mem.data()).valid());
}

TEST(SlowAggregate, GroupsPerFingerprintSlowestFirst) {
    Ring r(10, 64, 64, 64);
    r.ring.push(input(7, 100, 1 * kMin, "q7", "plan-a", nullptr, "rec a1\nrec a2"));
    r.ring.push(input(8, 500, 2 * kMin, "q8", nullptr, "$1 = 'x'"));
    r.ring.push(input(7, 300, 3 * kMin, "q7 latest", "plan-b", "$1 = '1'", "rec b"));
    r.ring.push(input(7, 200, 4 * kMin, "q7 latest", nullptr));
    std::vector<SlowGroup> g = aggregate_slow(r.ring, 0, 50);
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0].queryid, 8u);
    EXPECT_EQ(g[0].params, "$1 = 'x'");
    EXPECT_TRUE(g[0].recommendations.empty());
    EXPECT_EQ(g[1].queryid, 7u);
    EXPECT_EQ(g[1].execution_count, 3);
    EXPECT_DOUBLE_EQ(g[1].max_duration_ms, 300);
    EXPECT_DOUBLE_EQ(g[1].average_duration_ms(), 200);
    EXPECT_EQ(g[1].last_occurred_at, 4 * kMin);
    EXPECT_EQ(g[1].query, "q7 latest");
    EXPECT_EQ(g[1].application_name, "app");
    EXPECT_EQ(g[1].plan, "plan-b");
    EXPECT_EQ(g[1].params, "$1 = '1'");
    ASSERT_EQ(g[1].recommendations.size(), 1u);
    EXPECT_EQ(g[1].recommendations[0], "rec b");
}

TEST(SlowAggregate, ThresholdAndLimit) {
    Ring r(10);
    r.ring.push(input(1, 10, kMin, "a"));
    r.ring.push(input(2, 20, kMin, "b"));
    r.ring.push(input(3, 30, kMin, "c"));
    EXPECT_EQ(aggregate_slow(r.ring, 15, 50).size(), 2u);
    std::vector<SlowGroup> one = aggregate_slow(r.ring, 0, 1);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].queryid, 3u);
    EXPECT_TRUE(aggregate_slow(r.ring, 0, 0).empty());
}

TEST(SlowAggregate, SplitsRecommendationsSkippingEmptyLines) {
    Ring r(2, 8, 8, 8);
    r.ring.push(input(1, 10, kMin, "a", nullptr, nullptr, "one\n\ntwo\n"));
    std::vector<SlowGroup> g = aggregate_slow(r.ring, 0, 5);
    ASSERT_EQ(g[0].recommendations.size(), 2u);
    EXPECT_EQ(g[0].recommendations[1], "two");
}
