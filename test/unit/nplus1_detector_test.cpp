#include "core/nplus1/detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using namespace pothos::core;

namespace {

constexpr uint64_t PARENT = 100, CHILD = 200, CHILD2 = 300, KEEPALIVE = 400, INSERT = 500, FN = 600;
constexpr uint16_t LOOKUP = NPLUS1_SELECT | NPLUS1_HAS_TABLE | NPLUS1_KEY_LOOKUP;
constexpr uint16_t SCAN = NPLUS1_SELECT | NPLUS1_HAS_TABLE;

struct Trace {
    std::vector<Nplus1Event> ev;
    int64_t now = 1000000;
    Nplus1Event& add(uint64_t q, uint16_t flags, int64_t rows, uint64_t param, int64_t gap_us = 1000,
                 uint32_t backend = 1, uint16_t nesting = 0) {
        now += gap_us;
        Nplus1Event e{};
        e.seq = ev.size();
        e.id = e.seq;
        e.queryid = q;
        e.flags = flags;
        e.rows = rows;
        e.param_hash = param;
        e.ts_us = now;
        e.exec_ms = 0.1f;
        e.backend = backend;
        e.nesting = nesting;
        e.userid = 10;
        e.dbid = 5;
        ev.push_back(e);
        return ev.back();
    }
    std::vector<Nplus1Finding> detect(int min_repeats = 5) {
        Nplus1Config cfg;
        cfg.min_repeats = min_repeats;
        std::vector<uint32_t> idx(ev.size());
        std::vector<uint64_t> h(ev.size());
        std::vector<Nplus1Finding> out(64);
        size_t n = nplus1_detect(ev.data(), ev.size(), cfg, Nplus1Scratch{idx.data(), h.data()}, out.data(), out.size());
        out.resize(n);
        return out;
    }
};

std::vector<Nplus1Finding> of_kind(const std::vector<Nplus1Finding>& f, Nplus1Kind k) {
    std::vector<Nplus1Finding> out;
    for (const auto& x : f)
        if (x.kind == k) out.push_back(x);
    return out;
}

TEST(Nplus1Detector, ClassicLoopAfterParent) {
    Trace t;
    t.add(PARENT, SCAN, 10, 1);
    for (int i = 0; i < 10; i++) t.add(CHILD, LOOKUP, 1, 1000 + i);
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::Nplus1);
    EXPECT_EQ(f[0].parent_queryid, PARENT);
    EXPECT_EQ(f[0].queryid, CHILD);
    EXPECT_EQ(f[0].repeats, 10);
    EXPECT_EQ(f[0].distinct_params, 10);
    EXPECT_EQ(f[0].parent_rows, 10);
    EXPECT_EQ(f[0].anchor, 0u);
}

TEST(Nplus1Detector, BelowMinRepeatsIsNothing) {
    Trace t;
    t.add(PARENT, SCAN, 10, 1);
    for (int i = 0; i < 4; i++) t.add(CHILD, LOOKUP, 1, 1000 + i);
    EXPECT_TRUE(t.detect().empty());
}

TEST(Nplus1Detector, ParentWithFewRowsIsNotAParent) {
    Trace t;
    t.add(PARENT, SCAN, 1, 1);  // single-row load
    for (int i = 0; i < 6; i++) t.add(CHILD, LOOKUP, 1, 1000 + i);
    EXPECT_TRUE(of_kind(t.detect(), Nplus1Kind::Nplus1).empty());
}

// A B A B ...: two lookups per parent row are ONE finding listing both
// children, in order of first execution; the scalars describe the first.
TEST(Nplus1Detector, InterleavedChildrenAreOneFinding) {
    Trace t;
    t.add(PARENT, SCAN, 8, 1);
    for (int i = 0; i < 8; i++) {
        t.add(CHILD2, LOOKUP | NPLUS1_LIMIT1, 1, 2000 + i);
        t.add(CHILD, LOOKUP, 1, 1000 + i);
    }
    auto f = of_kind(t.detect(), Nplus1Kind::Nplus1);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].parent_queryid, PARENT);
    EXPECT_EQ(f[0].anchor, 0u);
    ASSERT_EQ(f[0].nchildren, 2);
    EXPECT_EQ(f[0].siblings, 1);
    EXPECT_EQ(f[0].children[0].queryid, CHILD2);  // ran first
    EXPECT_EQ(f[0].children[1].queryid, CHILD);
    EXPECT_EQ(f[0].children[0].repeats, 8);
    EXPECT_EQ(f[0].children[1].repeats, 8);
    EXPECT_EQ(f[0].children[0].flags, LOOKUP | NPLUS1_LIMIT1);
    EXPECT_EQ(f[0].children[1].flags, LOOKUP);
    EXPECT_EQ(f[0].queryid, CHILD2);
    EXPECT_EQ(f[0].repeats, 8);
    EXPECT_EQ(f[0].flags, LOOKUP | NPLUS1_LIMIT1);
    EXPECT_FALSE(f[0].by_rate);
}

// Children of different parent executions stay apart; more than
// kNplus1MaxChildren children of one execution make further findings.
TEST(Nplus1Detector, AtMostFourChildrenPerFinding) {
    Trace t;
    t.add(PARENT, SCAN, 6, 1);
    for (int i = 0; i < 6; i++)
        for (uint64_t c = 0; c < 5; c++) t.add(CHILD + c, LOOKUP, 1, 1000 * (c + 1) + i);
    t.add(PARENT, SCAN, 6, 2);
    for (int i = 0; i < 6; i++) t.add(CHILD, LOOKUP, 1, 9000 + i);
    auto f = of_kind(t.detect(), Nplus1Kind::Nplus1);
    ASSERT_EQ(f.size(), 3u);
    std::sort(f.begin(), f.end(), [](const Nplus1Finding& a, const Nplus1Finding& b) {
        return a.anchor != b.anchor ? a.anchor < b.anchor : a.nchildren > b.nchildren;
    });
    ASSERT_EQ(f[0].nchildren, 4);
    for (int c = 0; c < 4; c++) EXPECT_EQ(f[0].children[c].queryid, CHILD + uint64_t(c));
    EXPECT_EQ(f[1].anchor, f[0].anchor);
    ASSERT_EQ(f[1].nchildren, 1);
    EXPECT_EQ(f[1].queryid, CHILD + 4);
    EXPECT_NE(f[2].anchor, f[0].anchor);
    EXPECT_EQ(f[2].nchildren, 1);
    EXPECT_EQ(f[2].queryid, CHILD);
}

TEST(Nplus1Detector, KeepAliveDoesNotHideTheLoop) {
    Trace t;
    t.add(PARENT, SCAN, 6, 1);
    for (int i = 0; i < 6; i++) {
        t.add(CHILD, LOOKUP, 1, 1000 + i);
        if (i % 2) t.add(KEEPALIVE, NPLUS1_SELECT, 1, 7);
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::Nplus1);
}

TEST(Nplus1Detector, IdleGapSplitsUnits) {
    Trace t;
    t.add(PARENT, SCAN, 10, 1);
    for (int i = 0; i < 3; i++) t.add(CHILD, LOOKUP, 1, 1000 + i);
    for (int i = 0; i < 3; i++) t.add(CHILD, LOOKUP, 1, 2000 + i, 600000);  // polling, far apart
    EXPECT_TRUE(t.detect().empty());
}

TEST(Nplus1Detector, EachParentExecutionIsOneOccurrence) {
    Trace t;
    for (int r = 0; r < 3; r++) {
        t.add(PARENT, SCAN, 5, 1);
        for (int i = 0; i < 5; i++) t.add(CHILD, LOOKUP, 1, 1000 * r + i);
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 3u);
    EXPECT_NE(f[0].anchor, f[1].anchor);
    EXPECT_EQ(f[2].repeats, 5);
}

TEST(Nplus1Detector, SameParametersAreADuplicateNotAnNPlusOne) {
    Trace t;
    t.add(PARENT, SCAN, 10, 1);
    for (int i = 0; i < 10; i++) t.add(CHILD, LOOKUP, 1, 42);
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::DuplicateQuery);
    EXPECT_EQ(f[0].distinct_params, 1);
}

TEST(Nplus1Detector, BatchedAndQueueQueriesAreNotLoops) {
    Trace t;
    t.add(PARENT, SCAN, 100, 1);
    for (int i = 0; i < 6; i++) t.add(CHILD, SCAN | NPLUS1_BATCHED, 20, 1000 + i);  // chunked IN batches
    for (int i = 0; i < 6; i++) t.add(CHILD2, LOOKUP | NPLUS1_SKIP_LOCKED, 1, 2000 + i);
    EXPECT_TRUE(t.detect().empty());
}

TEST(Nplus1Detector, RowByRowInsert) {
    Trace t;
    for (int i = 0; i < 7; i++) t.add(INSERT, NPLUS1_DML | NPLUS1_SINGLE_ROW, 1, 1000 + i);
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::RowByRowDml);
    EXPECT_EQ(f[0].repeats, 7);
}

TEST(Nplus1Detector, MultiRowInsertsAreBulk) {
    Trace t;
    for (int i = 0; i < 7; i++) t.add(INSERT, NPLUS1_DML, 100, 1000 + i);
    EXPECT_TRUE(t.detect().empty());
}

TEST(Nplus1Detector, NestedRepeatsAreAServerSideLoop) {
    Trace t;
    int64_t start = t.now + 1000;
    for (int i = 0; i < 6; i++) {
        Nplus1Event& e = t.add(CHILD, LOOKUP, 1, 1000 + i, 0, 1, 1);
        e.ts_us = start;
    }
    Nplus1Event& outer = t.add(FN, NPLUS1_SELECT, 1, 1, 0);
    outer.ts_us = start;
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::ServerSideLoop);
    EXPECT_EQ(f[0].parent_queryid, FN);
    EXPECT_EQ(f[0].repeats, 6);
}

TEST(Nplus1Detector, ConcurrentChildrenOnManyBackends) {
    Trace t;
    t.add(PARENT, SCAN, 20, 1, 1000, 1);
    for (int i = 0; i < 20; i++) t.add(CHILD, LOOKUP, 1, 1000 + i, 100, uint32_t(2 + i % 10));
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].repeats, 20);
}

TEST(Nplus1Detector, OutputCapacityIsRespected) {
    Trace t;
    for (int r = 0; r < 4; r++) {
        t.add(PARENT, SCAN, 10, 1);
        for (int i = 0; i < 10; i++) t.add(CHILD, LOOKUP, 1, 1000 * r + i);
    }
    Nplus1Config cfg;
    std::vector<uint32_t> idx(t.ev.size());
    std::vector<uint64_t> h(t.ev.size());
    Nplus1Finding out[2];
    EXPECT_EQ(nplus1_detect(t.ev.data(), t.ev.size(), cfg, Nplus1Scratch{idx.data(), h.data()}, out, 2), 2u);
}

// ---- the rate rule: weak per-burst evidence, executions per parent row ----

// An untagged request loop on pooled connections whose lookups are slowed
// (a pause longer than idle_gap halfway): no unit holds min_repeats lookups
// after a parent, but over time the lookups number the parent's rows.
Trace slow_pooled_loop(int requests, int rows, int per_half, bool pooled, bool distinct_per_request = true) {
    Trace t;
    for (int r = 0; r < requests; r++) {
        t.add(PARENT, SCAN, rows, 1, 700000, 1);
        for (int half = 0; half < 2; half++)
            for (int i = 0; i < per_half; i++) {
                uint64_t param = uint64_t(distinct_per_request ? 100 * r : 0) + uint64_t(half * per_half + i) + 1;
                t.add(CHILD, LOOKUP, 1, param, half == 1 && i == 0 ? 700000 : 1000, pooled ? uint32_t(2 + i % 3) : 1);
            }
    }
    return t;
}

TEST(Nplus1RateRule, SplitBurstsOnPooledConnectionsAreAnNPlusOne) {
    Trace t = slow_pooled_loop(3, 6, 3, true);
    auto f = t.detect();
    ASSERT_EQ(f.size(), 3u);  // one occurrence per parent execution
    for (const Nplus1Finding& x : f) {
        EXPECT_EQ(x.kind, Nplus1Kind::Nplus1);
        EXPECT_TRUE(x.by_rate);
        EXPECT_EQ(x.parent_queryid, PARENT);
        EXPECT_EQ(x.queryid, CHILD);
        EXPECT_EQ(x.repeats, 6);
        EXPECT_EQ(x.parent_rows, 6);
        EXPECT_EQ(x.nchildren, 1);
    }
    EXPECT_NE(f[0].anchor, f[1].anchor);
}

TEST(Nplus1RateRule, NeedsEnoughParentExecutions) {
    EXPECT_TRUE(slow_pooled_loop(2, 6, 3, true).detect().empty());  // rate_min_parents = 3
    Trace t = slow_pooled_loop(2, 6, 3, true);
    Nplus1Config cfg;
    cfg.rate_min_parents = 2;
    std::vector<uint32_t> idx(t.ev.size());
    std::vector<uint64_t> h(t.ev.size());
    std::vector<Nplus1Finding> out(16);
    EXPECT_EQ(nplus1_detect(t.ev.data(), t.ev.size(), cfg, Nplus1Scratch{idx.data(), h.data()}, out.data(), out.size()), 2u);
}

TEST(Nplus1RateRule, NegativesStayNegative) {
    // One connection: the same query far apart in time, not a pooled loop.
    EXPECT_TRUE(slow_pooled_loop(3, 6, 3, false).detect().empty());
    // The same parameters in every request (polling, a cacheable lookup).
    EXPECT_TRUE(slow_pooled_loop(3, 6, 3, true, false).detect().empty());
    // Far fewer lookups than parent rows (2 x 2 per 10 rows: 0.4 per row).
    EXPECT_TRUE(slow_pooled_loop(3, 10, 2, true).detect().empty());
    // More lookups per parent row than the ratio allows (1 per row, at most 0.9 here).
    {
        Trace t = slow_pooled_loop(3, 6, 3, true);
        Nplus1Config cfg;
        cfg.rate_max_ratio = 0.9;
        std::vector<uint32_t> idx(t.ev.size());
        std::vector<uint64_t> h(t.ev.size());
        std::vector<Nplus1Finding> out(16);
        EXPECT_EQ(nplus1_detect(t.ev.data(), t.ev.size(), cfg, Nplus1Scratch{idx.data(), h.data()}, out.data(), out.size()),
                  0u);
    }
    // Parents that return fewer than min_repeats rows (one lookup after a small load).
    EXPECT_TRUE(slow_pooled_loop(3, 3, 2, true).detect().empty());
    // Batched fetches and queue workers are never children.
    for (uint16_t extra : {uint16_t(NPLUS1_BATCHED), uint16_t(NPLUS1_SKIP_LOCKED)}) {
        Trace t = slow_pooled_loop(3, 6, 3, true);
        for (Nplus1Event& e : t.ev)
            if (e.queryid == CHILD) e.flags |= extra;
        EXPECT_TRUE(t.detect().empty());
    }
}

// A burst that qualifies on its own is reported as such, not again by rate.
TEST(Nplus1RateRule, StrongBurstsAreNotReportedByRate) {
    Trace t;
    for (int r = 0; r < 3; r++) {
        t.add(PARENT, SCAN, 6, 1, 1000, 1);
        for (int i = 0; i < 6; i++) t.add(CHILD, LOOKUP, 1, 100 * r + i, 1000, uint32_t(2 + i % 3));
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 3u);
    for (const Nplus1Finding& x : f) EXPECT_FALSE(x.by_rate);
}

}  // namespace
