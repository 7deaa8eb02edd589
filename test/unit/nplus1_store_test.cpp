#include "core/nplus1_findings.h"
#include "core/nplus1_ring.h"

#include <gtest/gtest.h>

#include <climits>
#include <vector>

using namespace pothos::core;

namespace {

TEST(NPlusOneRing, PushReadAndOverwriteOldest) {
    std::vector<uint64_t> mem(NpRing::required_bytes(4) / 8 + 1);
    NpRing r = NpRing::create(mem.data(), 4);
    NpEvent e{};
    for (uint64_t i = 0; i < 6; i++) {
        e.queryid = 100 + i;
        EXPECT_EQ(r.push(e), i);
    }
    NpEvent out{};
    EXPECT_FALSE(r.read(0, &out));  // overwritten
    EXPECT_FALSE(r.read(1, &out));
    ASSERT_TRUE(r.read(2, &out));
    EXPECT_EQ(out.queryid, 102u);
    EXPECT_EQ(out.seq, 2u);
    ASSERT_TRUE(r.read(5, &out));
    EXPECT_FALSE(r.read(6, &out));  // not written yet
    EXPECT_EQ(r.oldest(), 2u);
}

// One statement writes one cache line: slots are 64 bytes and aligned, the
// capacity a power of two; what read returns is what was pushed.
TEST(NPlusOneRing, OneAlignedLinePerEventAndPowerOfTwoCapacity) {
    EXPECT_EQ(sizeof(NpRingSlot), 64u);
    EXPECT_EQ(NpRing::slots_for(1000), 1024u);
    EXPECT_EQ(NpRing::slots_for(1024), 1024u);
    std::vector<char> mem(NpRing::required_bytes(5) + 8);
    NpRing r = NpRing::create(mem.data() + 8, 5);  // a misaligned block
    EXPECT_EQ(r.capacity(), 8u);
    NpEvent e{};
    e.group = 11;
    e.queryid = 12;
    e.param_hash = 13;
    e.ts_us = 14;
    e.rows = int64_t(1) << 40;  // saturates
    e.exec_ms = 1.5f;
    e.backend = 15;
    e.userid = 16;
    e.dbid = 17;
    e.flags = 18;
    e.nesting = 19;
    for (int i = 0; i < 11; i++) r.push(e);  // wraps around
    NpEvent out{};
    ASSERT_TRUE(r.read(10, &out));
    EXPECT_EQ(out.seq, 10u);
    EXPECT_EQ(out.group, 11u);
    EXPECT_EQ(out.queryid, 12u);
    EXPECT_EQ(out.param_hash, 13u);
    EXPECT_EQ(out.ts_us, 14);
    EXPECT_EQ(out.rows, INT32_MAX);
    EXPECT_FLOAT_EQ(out.exec_ms, 1.5f);
    EXPECT_EQ(out.backend, 15u);
    EXPECT_EQ(out.userid, 16u);
    EXPECT_EQ(out.dbid, 17u);
    EXPECT_EQ(out.flags, 18u);
    EXPECT_EQ(out.nesting, 19u);
    EXPECT_FALSE(r.read(2, &out));  // overwritten
    EXPECT_TRUE(r.read(3, &out));
}

NpFinding occurrence(uint64_t child, uint64_t anchor, int64_t repeats) {
    NpFinding f{};
    f.kind = NpKind::NPlusOne;
    f.parent_queryid = 1;
    f.queryid = child;
    f.userid = 10;
    f.dbid = 5;
    f.anchor = anchor;
    f.repeats = repeats;
    f.distinct_params = repeats;
    f.time_ms = repeats * 0.5;
    f.parent_rows = 10;
    return f;
}

TEST(NPlusOneFindings, SameAnchorCountsOnceAndGrows) {
    std::vector<uint64_t> mem(NpFindings::required_bytes(4) / 8 + 1);
    NpFindings t = NpFindings::create(mem.data(), 4, 0);
    t.record(occurrence(7, 100, 5), 1);
    t.record(occurrence(7, 100, 5), 2);  // same unit analysed again
    t.record(occurrence(7, 100, 8), 3);  // it grew
    t.record(occurrence(7, 200, 6), 4);
    ASSERT_EQ(t.header().count, 1u);
    const NpFindingEntry& e = t.entry(0);
    EXPECT_EQ(e.occurrences, 2);
    EXPECT_EQ(e.total_repeats, 14);
    EXPECT_EQ(e.max_repeats, 8);
    EXPECT_DOUBLE_EQ(e.time_ms, 7.0);
    EXPECT_EQ(e.first_seen, 1);
    EXPECT_EQ(e.last_seen, 4);
    EXPECT_EQ(e.total_parent_rows, 20);  // two parent executions
}

TEST(NPlusOneFindings, EvictsLeastRecentlySeenSingleOccurrenceFirst) {
    std::vector<uint64_t> mem(NpFindings::required_bytes(2) / 8 + 1);
    NpFindings t = NpFindings::create(mem.data(), 2, 0);
    t.record(occurrence(1, 10, 5), 1);
    t.record(occurrence(1, 11, 5), 2);  // child 1: confirmed twice
    t.record(occurrence(2, 12, 5), 3);  // child 2: once, more recent
    t.record(occurrence(3, 13, 5), 4);  // full: evicts child 2
    EXPECT_EQ(t.header().evictions, 1u);
    bool has1 = false, has2 = false, has3 = false;
    for (uint32_t i = 0; i < t.capacity(); i++) {
        has1 |= t.entry(i).in_use && t.entry(i).queryid == 1;
        has2 |= t.entry(i).in_use && t.entry(i).queryid == 2;
        has3 |= t.entry(i).in_use && t.entry(i).queryid == 3;
    }
    EXPECT_TRUE(has1);
    EXPECT_FALSE(has2);
    EXPECT_TRUE(has3);
    t.reset(9);
    EXPECT_EQ(t.header().count, 0u);
    EXPECT_EQ(t.header().stats_reset, 9);
}

// The children of one parent execution, as the detector reports them (A B A B).
NpFinding siblings(uint64_t anchor, std::vector<std::pair<uint64_t, int64_t>> kids) {
    NpFinding f = occurrence(kids[0].first, anchor, kids[0].second);
    f.nchildren = uint8_t(kids.size());
    f.siblings = int32_t(kids.size()) - 1;
    for (size_t i = 0; i < kids.size(); i++)
        f.children[i] = NpChild{kids[i].first, anchor + 1 + i, kids[i].second, kids[i].second, kids[i].second * 0.5, 0,
                                NP_SELECT};
    return f;
}

const NpFindingEntry* only_entry(const NpFindings& t) {
    const NpFindingEntry* found = nullptr;
    for (uint32_t i = 0; i < t.capacity(); i++)
        if (t.entry(i).in_use) {
            EXPECT_EQ(found, nullptr) << "more than one entry";
            found = &t.entry(i);
        }
    return found;
}

TEST(NPlusOneFindings, InterleavedChildrenAreOneEntry) {
    std::vector<uint64_t> mem(NpFindings::required_bytes(8) / 8 + 1);
    NpFindings t = NpFindings::create(mem.data(), 8, 0);
    t.record(siblings(100, {{7, 8}, {9, 8}}), 1);
    t.record(siblings(100, {{7, 8}, {9, 8}}), 2);  // analysed again
    t.record(siblings(200, {{7, 6}, {9, 6}}), 3);
    ASSERT_EQ(t.header().count, 1u);
    const NpFindingEntry* e = only_entry(t);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->nchildren, 2);
    EXPECT_EQ(e->occurrences, 2);
    EXPECT_EQ(e->queryid, 7u);
    EXPECT_EQ(e->total_repeats, 14);  // the first child's
    EXPECT_EQ(e->child[0].total_repeats, 14);
    EXPECT_EQ(e->child[1].queryid, 9u);
    EXPECT_EQ(e->child[1].total_repeats, 14);
    EXPECT_EQ(e->child[1].occurrences, 2);
    EXPECT_DOUBLE_EQ(e->child[1].time_ms, 7.0);
    EXPECT_EQ(e->total_parent_rows, 20);
}

// Analysed while it went on, a parent execution had one child with enough
// lookups; analysed again, it has two: the second joins the same entry and
// the occurrence is not counted twice.
TEST(NPlusOneFindings, ChildJoinsAnOccurrenceCountedBefore) {
    std::vector<uint64_t> mem(NpFindings::required_bytes(8) / 8 + 1);
    NpFindings t = NpFindings::create(mem.data(), 8, 0);
    t.record(siblings(100, {{9, 5}}), 1);
    t.record(siblings(100, {{7, 8}, {9, 8}}), 2);
    const NpFindingEntry* e = only_entry(t);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->nchildren, 2);
    EXPECT_EQ(e->occurrences, 1);
    EXPECT_EQ(e->queryid, 9u);  // the entry's first child stays first
    EXPECT_EQ(e->child[0].total_repeats, 8);
    EXPECT_EQ(e->child[1].queryid, 7u);
    EXPECT_EQ(e->child[1].total_repeats, 8);
    EXPECT_EQ(t.header().recorded, 1u);
}

// At most kNpMaxChildren children per entry; unrelated parents stay apart.
TEST(NPlusOneFindings, ChildrenPerEntryAreBounded) {
    std::vector<uint64_t> mem(NpFindings::required_bytes(8) / 8 + 1);
    NpFindings t = NpFindings::create(mem.data(), 8, 0);
    t.record(siblings(100, {{1, 5}, {2, 5}, {3, 5}, {4, 5}}), 1);
    t.record(siblings(100, {{5, 5}}), 1);  // the fifth child of the same execution
    NpFinding other = occurrence(1, 300, 5);
    other.parent_queryid = 2;
    t.record(other, 2);
    EXPECT_EQ(t.header().count, 3u);
    int four = 0, one = 0;
    for (uint32_t i = 0; i < t.capacity(); i++) {
        if (!t.entry(i).in_use) continue;
        four += t.entry(i).nchildren == 4;
        one += t.entry(i).nchildren == 1;
    }
    EXPECT_EQ(four, 1);
    EXPECT_EQ(one, 2);
}

}  // namespace
