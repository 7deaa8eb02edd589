#include "core/nplus1_detector.h"

#include <gtest/gtest.h>

#include <vector>

using namespace pothos::core;

namespace {

constexpr uint64_t PARENT = 100, CHILD = 200, CHILD2 = 300, KEEPALIVE = 400, INSERT = 500, FN = 600;
constexpr uint16_t LOOKUP = NP_SELECT | NP_HAS_TABLE | NP_KEY_LOOKUP;
constexpr uint16_t SCAN = NP_SELECT | NP_HAS_TABLE;

struct Trace {
    std::vector<NpEvent> ev;
    int64_t now = 1000000;
    NpEvent& add(uint64_t q, uint16_t flags, int64_t rows, uint64_t param, int64_t gap_us = 1000,
                 uint32_t backend = 1, uint16_t nesting = 0) {
        now += gap_us;
        NpEvent e{};
        e.seq = ev.size();
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
    std::vector<NpFinding> detect(int min_repeats = 5) {
        NpConfig cfg;
        cfg.min_repeats = min_repeats;
        std::vector<uint32_t> idx(ev.size());
        std::vector<uint64_t> h(ev.size());
        std::vector<NpFinding> out(64);
        size_t n = np_detect(ev.data(), ev.size(), cfg, NpScratch{idx.data(), h.data()}, out.data(), out.size());
        out.resize(n);
        return out;
    }
};

std::vector<NpFinding> of_kind(const std::vector<NpFinding>& f, NpKind k) {
    std::vector<NpFinding> out;
    for (const auto& x : f)
        if (x.kind == k) out.push_back(x);
    return out;
}

TEST(NPlusOneDetector, ClassicLoopAfterParent) {
    Trace t;
    t.add(PARENT, SCAN, 10, 1);
    for (int i = 0; i < 10; i++) t.add(CHILD, LOOKUP, 1, 1000 + i);
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, NpKind::NPlusOne);
    EXPECT_EQ(f[0].parent_queryid, PARENT);
    EXPECT_EQ(f[0].queryid, CHILD);
    EXPECT_EQ(f[0].repeats, 10);
    EXPECT_EQ(f[0].distinct_params, 10);
    EXPECT_EQ(f[0].parent_rows, 10);
    EXPECT_EQ(f[0].anchor, 0u);
}

TEST(NPlusOneDetector, BelowMinRepeatsIsNothing) {
    Trace t;
    t.add(PARENT, SCAN, 10, 1);
    for (int i = 0; i < 4; i++) t.add(CHILD, LOOKUP, 1, 1000 + i);
    EXPECT_TRUE(t.detect().empty());
}

TEST(NPlusOneDetector, ParentWithFewRowsIsNotAParent) {
    Trace t;
    t.add(PARENT, SCAN, 1, 1);  // single-row load
    for (int i = 0; i < 6; i++) t.add(CHILD, LOOKUP, 1, 1000 + i);
    EXPECT_TRUE(of_kind(t.detect(), NpKind::NPlusOne).empty());
}

TEST(NPlusOneDetector, InterleavedChildrenAreSiblings) {
    Trace t;
    t.add(PARENT, SCAN, 8, 1);
    for (int i = 0; i < 8; i++) {
        t.add(CHILD, LOOKUP, 1, 1000 + i);
        t.add(CHILD2, LOOKUP, 1, 2000 + i);
    }
    auto f = of_kind(t.detect(), NpKind::NPlusOne);
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].parent_queryid, PARENT);
    EXPECT_EQ(f[1].parent_queryid, PARENT);
    EXPECT_EQ(f[0].siblings, 1);
    EXPECT_EQ(f[1].siblings, 1);
    EXPECT_NE(f[0].queryid, f[1].queryid);
}

TEST(NPlusOneDetector, KeepAliveDoesNotHideTheLoop) {
    Trace t;
    t.add(PARENT, SCAN, 6, 1);
    for (int i = 0; i < 6; i++) {
        t.add(CHILD, LOOKUP, 1, 1000 + i);
        if (i % 2) t.add(KEEPALIVE, NP_SELECT, 1, 7);
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, NpKind::NPlusOne);
}

TEST(NPlusOneDetector, IdleGapSplitsUnits) {
    Trace t;
    t.add(PARENT, SCAN, 10, 1);
    for (int i = 0; i < 3; i++) t.add(CHILD, LOOKUP, 1, 1000 + i);
    for (int i = 0; i < 3; i++) t.add(CHILD, LOOKUP, 1, 2000 + i, 600000);  // polling, far apart
    EXPECT_TRUE(t.detect().empty());
}

TEST(NPlusOneDetector, EachParentExecutionIsOneOccurrence) {
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

TEST(NPlusOneDetector, SameParametersAreADuplicateNotAnNPlusOne) {
    Trace t;
    t.add(PARENT, SCAN, 10, 1);
    for (int i = 0; i < 10; i++) t.add(CHILD, LOOKUP, 1, 42);
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, NpKind::DuplicateQuery);
    EXPECT_EQ(f[0].distinct_params, 1);
}

TEST(NPlusOneDetector, BatchedAndQueueQueriesAreNotLoops) {
    Trace t;
    t.add(PARENT, SCAN, 100, 1);
    for (int i = 0; i < 6; i++) t.add(CHILD, SCAN | NP_BATCHED, 20, 1000 + i);  // chunked IN batches
    for (int i = 0; i < 6; i++) t.add(CHILD2, LOOKUP | NP_SKIP_LOCKED, 1, 2000 + i);
    EXPECT_TRUE(t.detect().empty());
}

TEST(NPlusOneDetector, RowByRowInsert) {
    Trace t;
    for (int i = 0; i < 7; i++) t.add(INSERT, NP_DML | NP_SINGLE_ROW, 1, 1000 + i);
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, NpKind::RowByRowDml);
    EXPECT_EQ(f[0].repeats, 7);
}

TEST(NPlusOneDetector, MultiRowInsertsAreBulk) {
    Trace t;
    for (int i = 0; i < 7; i++) t.add(INSERT, NP_DML, 100, 1000 + i);
    EXPECT_TRUE(t.detect().empty());
}

TEST(NPlusOneDetector, NestedRepeatsAreAServerSideLoop) {
    Trace t;
    int64_t start = t.now + 1000;
    for (int i = 0; i < 6; i++) {
        NpEvent& e = t.add(CHILD, LOOKUP, 1, 1000 + i, 0, 1, 1);
        e.ts_us = start;
    }
    NpEvent& outer = t.add(FN, NP_SELECT, 1, 1, 0);
    outer.ts_us = start;
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, NpKind::ServerSideLoop);
    EXPECT_EQ(f[0].parent_queryid, FN);
    EXPECT_EQ(f[0].repeats, 6);
}

TEST(NPlusOneDetector, ConcurrentChildrenOnManyBackends) {
    Trace t;
    t.add(PARENT, SCAN, 20, 1, 1000, 1);
    for (int i = 0; i < 20; i++) t.add(CHILD, LOOKUP, 1, 1000 + i, 100, uint32_t(2 + i % 10));
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].repeats, 20);
}

TEST(NPlusOneDetector, OutputCapacityIsRespected) {
    Trace t;
    t.add(PARENT, SCAN, 10, 1);
    for (int i = 0; i < 10; i++)
        for (uint64_t c = 0; c < 5; c++) t.add(CHILD + c, LOOKUP, 1, 1000 + i);
    NpConfig cfg;
    std::vector<uint32_t> idx(t.ev.size());
    std::vector<uint64_t> h(t.ev.size());
    NpFinding out[2];
    EXPECT_EQ(np_detect(t.ev.data(), t.ev.size(), cfg, NpScratch{idx.data(), h.data()}, out, 2), 2u);
}

}  // namespace
