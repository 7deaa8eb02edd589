#include "core/nplus1_findings.h"
#include "core/nplus1_window.h"

#include <gtest/gtest.h>

#include <atomic>
#include <climits>
#include <thread>
#include <vector>

using namespace pothos::core;

namespace {

TEST(NPlusOneWindow, PushReadAndOverwriteOldest) {
    std::vector<uint64_t> mem(NpWindow::required_bytes(3, 16) / 8 + 1);
    NpWindow w = NpWindow::create(mem.data(), 3, 16);
    EXPECT_EQ(w.rings(), 3u);
    EXPECT_EQ(w.capacity(), 16u);
    NpRingWriter ring1 = w.writer(1);
    ASSERT_TRUE(ring1.valid());
    NpEvent e{};
    for (uint64_t i = 0; i < 20; i++) {
        e.queryid = 100 + i;
        EXPECT_EQ(ring1.push(e), i);
    }
    EXPECT_EQ(w.head(0), 0u);  // the other rings are untouched
    EXPECT_EQ(w.head(1), 20u);
    EXPECT_EQ(w.head(2), 0u);
    EXPECT_EQ(w.total(), 20u);
    NpEvent out{};
    EXPECT_FALSE(w.read(1, 3, &out));  // overwritten
    // The oldest slot still holding its event is the next to be rewritten:
    // a reader keeps only (head - capacity, head).
    EXPECT_FALSE(w.read(1, 4, &out));
    ASSERT_TRUE(w.read(1, 5, &out));
    EXPECT_EQ(out.queryid, 105u);
    EXPECT_EQ(out.seq, 5u);
    EXPECT_EQ(out.id, NpWindow::id_of(1, 5));
    ASSERT_TRUE(w.read(1, 19, &out));
    EXPECT_FALSE(w.read(1, 20, &out));  // not written yet
    EXPECT_FALSE(w.read(0, 0, &out));   // an empty ring
    EXPECT_FALSE(w.read(3, 0, &out));   // no such ring
    EXPECT_FALSE(w.writer(3).valid());
    EXPECT_EQ(w.oldest(1), 5u);  // the first sequence number read returns
}

// One statement writes one cache line of its own backend's ring: slots are
// 64 bytes and aligned, heads have a line each, capacities are powers of two;
// what read returns is what was pushed.
TEST(NPlusOneWindow, OneAlignedLinePerEventAndPowerOfTwoCapacity) {
    EXPECT_EQ(sizeof(NpSlot), 64u);
    EXPECT_EQ(sizeof(NpRingHead), 64u);
    EXPECT_EQ(NpWindow::slots_for(1000), 1024u);
    EXPECT_EQ(NpWindow::slots_for(1024), 1024u);
    EXPECT_EQ(NpWindow::slots_for(5), 16u);
    std::vector<char> mem(NpWindow::required_bytes(2, 5) + 8);
    NpWindow w = NpWindow::create(mem.data() + 8, 2, 5);  // a misaligned block
    EXPECT_EQ(w.capacity(), 16u);
    NpRingWriter r0 = w.writer(0), r1 = w.writer(1);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r0.head) % 64, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r0.slots) % 64, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r1.slots) % 64, 0u);
    EXPECT_GE(reinterpret_cast<char*>(r1.head), reinterpret_cast<char*>(r0.slots + 16));  // no overlap
    EXPECT_LE(reinterpret_cast<char*>(r1.slots + 16), mem.data() + mem.size());
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
    for (int i = 0; i < 27; i++) r1.push(e);  // wraps around
    NpEvent other{};
    other.queryid = 99;
    r0.push(other);
    NpEvent out{};
    ASSERT_TRUE(w.read(1, 26, &out));
    EXPECT_EQ(out.seq, 26u);
    EXPECT_EQ(out.id, NpWindow::id_of(1, 26));
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
    ASSERT_TRUE(w.read(0, 0, &out));
    EXPECT_EQ(out.queryid, 99u);
    EXPECT_EQ(out.id, NpWindow::id_of(0, 0));
    EXPECT_FALSE(w.read(1, 11, &out));  // overwritten (or next to be)
    EXPECT_TRUE(w.read(1, 12, &out));
}

// The two-step append the extension uses (the slot filled in place): open()
// is the slot next_slot() names (what the extension prefetches), a reader
// does not see the event before publish(), and publish() returns the
// sequence number push would have.
TEST(NPlusOneWindow, OpenThenPublishAppendsInPlace) {
    std::vector<uint64_t> mem(NpWindow::required_bytes(1, 16) / 8 + 1);
    NpWindow w = NpWindow::create(mem.data(), 1, 16);
    NpRingWriter ring = w.writer(0);
    NpEvent e{};
    for (int i = 0; i < 21; i++) ring.push(e);  // wrapped round once
    const NpSlot* next = ring.next_slot();
    NpSlot* s = ring.open();
    EXPECT_EQ(s, next);
    EXPECT_EQ(s, &ring.slots[21 % 16]);
    s->queryid = 77;
    s->rows = NpRingWriter::slot_rows(-5);
    NpEvent out{};
    EXPECT_FALSE(w.read(0, 21, &out));  // not published yet
    EXPECT_EQ(ring.publish(), 21u);
    ASSERT_TRUE(w.read(0, 21, &out));
    EXPECT_EQ(out.queryid, 77u);
    EXPECT_EQ(out.rows, 0);
    EXPECT_EQ(NpRingWriter::slot_rows(int64_t(1) << 40), INT32_MAX);
    EXPECT_EQ(NpRingWriter::slot_rows(12), 12);
    EXPECT_EQ(ring.next_slot(), &ring.slots[22 % 16]);
}

// Identities are distinct across rings and stay the same when read again.
TEST(NPlusOneWindow, EventIdsNameOneEventForGood) {
    EXPECT_NE(NpWindow::id_of(0, 1), NpWindow::id_of(1, 0));
    EXPECT_NE(NpWindow::id_of(1, 1), NpWindow::id_of(2, 1));
    EXPECT_EQ(NpWindow::id_of(5, 7) >> NpWindow::kSeqBits, 5u);
    std::vector<uint64_t> mem(NpWindow::required_bytes(NpWindow::kMaxRings + 10, 16) / 8 + 1);
    EXPECT_EQ(NpWindow::create(mem.data(), NpWindow::kMaxRings + 10, 16).rings(), NpWindow::kMaxRings);
}

// A reader running while a writer goes round its ring many times never
// returns a torn event: every field of an event it accepts comes from the
// same push.
TEST(NPlusOneWindow, ConcurrentReaderSeesWholeEventsOnly) {
    std::vector<uint64_t> mem(NpWindow::required_bytes(1, 16) / 8 + 1);
    NpWindow w = NpWindow::create(mem.data(), 1, 16);
    NpRingWriter ring = w.writer(0);
    std::atomic<bool> done{false};
    std::thread writer([&] {
        NpEvent e{};
        for (uint64_t i = 1; i <= 200000; i++) {
            e.group = i;
            e.queryid = i * 3;
            e.param_hash = i * 5;
            e.ts_us = int64_t(i * 7);
            ring.push(e);
        }
        done = true;
    });
    uint64_t accepted = 0;
    NpEvent out{};
    auto read_all = [&] {
        uint64_t h = w.head(0);
        for (uint64_t seq = w.oldest(0); seq < h; seq++) {
            if (!w.read(0, seq, &out)) continue;
            accepted++;
            ASSERT_EQ(out.group, seq + 1);
            ASSERT_EQ(out.queryid, out.group * 3);
            ASSERT_EQ(out.param_hash, out.group * 5);
            ASSERT_EQ(uint64_t(out.ts_us), out.group * 7);
        }
    };
    while (!done.load()) read_all();
    writer.join();
    accepted = 0;
    read_all();  // at rest: every event but the oldest slot's is readable
    EXPECT_EQ(accepted, 15u);
}

NpFinding occurrence(uint64_t child, uint64_t anchor, int64_t repeats) {
    NpFinding f{};
    f.kind = NpKind::NPlusOne;
    f.parent_queryid = 1;
    f.queryid = child;
    f.userid = 10;
    f.dbid = 5;
    f.anchor = anchor;
    f.anchor_ts = int64_t(anchor);
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
