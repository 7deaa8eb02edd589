#include "core/nplus1/findings.h"
#include "core/nplus1/window.h"

#include <gtest/gtest.h>

#include <atomic>
#include <climits>
#include <thread>
#include <vector>

using namespace pothos::core;

namespace {

// Appends e as the extension does: the next slot filled in place between
// open() and publish().
uint64_t append(const Nplus1RingWriter& ring, const Nplus1Event& e) {
    Nplus1Slot* s = ring.open();
    s->group = e.group;
    s->queryid = e.queryid;
    s->param_hash = e.param_hash;
    s->ts_us = e.ts_us;
    s->rows = Nplus1RingWriter::slot_rows(e.rows);
    s->exec_ms = e.exec_ms;
    s->userid = e.userid;
    s->dbid = e.dbid;
    s->keys[0] = e.keys[0];
    s->keys[1] = e.keys[1];
    s->prov = e.prov;
    s->flags = e.flags;
    s->nesting = e.nesting;
    return ring.publish();
}

TEST(Nplus1Window, AppendReadAndOverwriteOldest) {
    std::vector<uint64_t> mem(Nplus1Window::required_bytes(3, 16) / 8 + 1);
    Nplus1Window w = Nplus1Window::create(mem.data(), 3, 16);
    EXPECT_EQ(w.rings(), 3u);
    EXPECT_EQ(w.capacity(), 16u);
    Nplus1RingWriter ring1 = w.writer(1);
    ASSERT_TRUE(ring1.valid());
    Nplus1Event e{};
    for (uint64_t i = 0; i < 20; i++) {
        e.queryid = 100 + i;
        EXPECT_EQ(append(ring1, e), i);
    }
    EXPECT_EQ(w.head(0), 0u);  // the other rings are untouched
    EXPECT_EQ(w.head(1), 20u);
    EXPECT_EQ(w.head(2), 0u);
    EXPECT_EQ(w.total(), 20u);
    Nplus1Event out{};
    EXPECT_FALSE(w.read(1, 3, &out));  // overwritten
    // The oldest slot still holding its event is the next to be rewritten:
    // a reader keeps only (head - capacity, head).
    EXPECT_FALSE(w.read(1, 4, &out));
    ASSERT_TRUE(w.read(1, 5, &out));
    EXPECT_EQ(out.queryid, 105u);
    EXPECT_EQ(out.seq, 5u);
    EXPECT_EQ(out.id, Nplus1Window::id_of(1, 5));
    ASSERT_TRUE(w.read(1, 19, &out));
    EXPECT_FALSE(w.read(1, 20, &out));  // not written yet
    EXPECT_FALSE(w.read(0, 0, &out));   // an empty ring
    EXPECT_FALSE(w.read(3, 0, &out));   // no such ring
    EXPECT_FALSE(w.writer(3).valid());
    EXPECT_EQ(w.oldest(1), 5u);  // the first sequence number read returns
}

// One statement writes one cache line of its own backend's ring: slots are
// 64 bytes and aligned, heads have a line each, capacities are powers of two;
// what read returns is what was appended.
TEST(Nplus1Window, OneAlignedLinePerEventAndPowerOfTwoCapacity) {
    EXPECT_EQ(sizeof(Nplus1Slot), 64u);
    EXPECT_EQ(sizeof(Nplus1RingHead), 64u);
    EXPECT_EQ(Nplus1Window::slots_for(1000), 1024u);
    EXPECT_EQ(Nplus1Window::slots_for(1024), 1024u);
    EXPECT_EQ(Nplus1Window::slots_for(5), 16u);
    std::vector<char> mem(Nplus1Window::required_bytes(2, 5) + 8);
    Nplus1Window w = Nplus1Window::create(mem.data() + 8, 2, 5);  // a misaligned block
    EXPECT_EQ(w.capacity(), 16u);
    Nplus1RingWriter r0 = w.writer(0), r1 = w.writer(1);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r0.head) % 64, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r0.slots) % 64, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r1.slots) % 64, 0u);
    EXPECT_GE(reinterpret_cast<char*>(r1.head), reinterpret_cast<char*>(r0.slots + 16));  // no overlap
    EXPECT_LE(reinterpret_cast<char*>(r1.slots + 16), mem.data() + mem.size());
    Nplus1Event e{};
    e.group = 11;
    e.queryid = 12;
    e.param_hash = 13;
    e.ts_us = 14;
    e.rows = int64_t(1) << 40;  // saturates
    e.exec_ms = 1.5f;
    e.userid = 16;
    e.dbid = 17;
    e.flags = 18;
    e.nesting = 19;
    e.keys[0] = 20;
    e.keys[1] = 21;
    e.prov = 22;
    for (int i = 0; i < 27; i++) append(r1, e);  // wraps around
    Nplus1Event other{};
    other.queryid = 99;
    append(r0, other);
    Nplus1Event out{};
    ASSERT_TRUE(w.read(1, 26, &out));
    EXPECT_EQ(out.seq, 26u);
    EXPECT_EQ(out.id, Nplus1Window::id_of(1, 26));
    EXPECT_EQ(out.group, 11u);
    EXPECT_EQ(out.queryid, 12u);
    EXPECT_EQ(out.param_hash, 13u);
    EXPECT_EQ(out.ts_us, 14);
    EXPECT_EQ(out.rows, INT32_MAX);
    EXPECT_FLOAT_EQ(out.exec_ms, 1.5f);
    EXPECT_EQ(out.backend, 1u);  // the ring
    EXPECT_EQ(out.userid, 16u);
    EXPECT_EQ(out.dbid, 17u);
    EXPECT_EQ(out.flags, 18u);
    EXPECT_EQ(out.nesting, 19u);
    EXPECT_EQ(out.keys[0], 20u);
    EXPECT_EQ(out.keys[1], 21u);
    EXPECT_EQ(out.prov, 22u);
    ASSERT_TRUE(w.read(0, 0, &out));
    EXPECT_EQ(out.queryid, 99u);
    EXPECT_EQ(out.id, Nplus1Window::id_of(0, 0));
    EXPECT_FALSE(w.read(1, 11, &out));  // overwritten (or next to be)
    EXPECT_TRUE(w.read(1, 12, &out));
}

// The two-step append (the slot filled in place): open() is the slot
// next_slot() names (what the extension prefetches), a reader does not see
// the event before publish(), and publish() returns the event's sequence
// number.
TEST(Nplus1Window, OpenThenPublishAppendsInPlace) {
    std::vector<uint64_t> mem(Nplus1Window::required_bytes(1, 16) / 8 + 1);
    Nplus1Window w = Nplus1Window::create(mem.data(), 1, 16);
    Nplus1RingWriter ring = w.writer(0);
    Nplus1Event e{};
    for (int i = 0; i < 21; i++) append(ring, e);  // wrapped round once
    const Nplus1Slot* next = ring.next_slot();
    Nplus1Slot* s = ring.open();
    EXPECT_EQ(s, next);
    EXPECT_EQ(s, &ring.slots[21 % 16]);
    s->queryid = 77;
    s->rows = Nplus1RingWriter::slot_rows(-5);
    Nplus1Event out{};
    EXPECT_FALSE(w.read(0, 21, &out));  // not published yet
    EXPECT_EQ(ring.publish(), 21u);
    ASSERT_TRUE(w.read(0, 21, &out));
    EXPECT_EQ(out.queryid, 77u);
    EXPECT_EQ(out.rows, 0);
    EXPECT_EQ(Nplus1RingWriter::slot_rows(int64_t(1) << 40), INT32_MAX);
    EXPECT_EQ(Nplus1RingWriter::slot_rows(12), 12);
    EXPECT_EQ(ring.next_slot(), &ring.slots[22 % 16]);
}

// Identities are distinct across rings and stay the same when read again.
TEST(Nplus1Window, EventIdsNameOneEventForGood) {
    EXPECT_NE(Nplus1Window::id_of(0, 1), Nplus1Window::id_of(1, 0));
    EXPECT_NE(Nplus1Window::id_of(1, 1), Nplus1Window::id_of(2, 1));
    EXPECT_EQ(Nplus1Window::id_of(5, 7) >> Nplus1Window::kSeqBits, 5u);
    std::vector<uint64_t> mem(Nplus1Window::required_bytes(Nplus1Window::kMaxRings + 10, 16) / 8 + 1);
    EXPECT_EQ(Nplus1Window::create(mem.data(), Nplus1Window::kMaxRings + 10, 16).rings(), Nplus1Window::kMaxRings);
}

// A reader running while a writer goes round its ring many times never
// returns a torn event: every field of an event it accepts comes from the
// same append.
TEST(Nplus1Window, ConcurrentReaderSeesWholeEventsOnly) {
    std::vector<uint64_t> mem(Nplus1Window::required_bytes(1, 16) / 8 + 1);
    Nplus1Window w = Nplus1Window::create(mem.data(), 1, 16);
    Nplus1RingWriter ring = w.writer(0);
    std::atomic<bool> done{false};
    std::thread writer([&] {
        Nplus1Event e{};
        for (uint64_t i = 1; i <= 200000; i++) {
            e.group = i;
            e.queryid = i * 3;
            e.param_hash = i * 5;
            e.ts_us = int64_t(i * 7);
            append(ring, e);
        }
        done = true;
    });
    uint64_t accepted = 0;
    Nplus1Event out{};
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

Nplus1Finding occurrence(uint64_t child, uint64_t anchor, int64_t repeats) {
    Nplus1Finding f{};
    f.kind = Nplus1Kind::Nplus1;
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

TEST(Nplus1Findings, SameAnchorCountsOnceAndGrows) {
    std::vector<uint64_t> mem(Nplus1Findings::required_bytes(4) / 8 + 1);
    Nplus1Findings t = Nplus1Findings::create(mem.data(), 4, 0);
    t.record(occurrence(7, 100, 5), 1);
    t.record(occurrence(7, 100, 5), 2);  // same unit analysed again
    t.record(occurrence(7, 100, 8), 3);  // it grew
    t.record(occurrence(7, 200, 6), 4);
    ASSERT_EQ(t.header().count, 1u);
    const Nplus1FindingEntry& e = t.entry(0);
    EXPECT_EQ(e.occurrences, 2);
    EXPECT_EQ(e.total_repeats, 14);
    EXPECT_EQ(e.max_repeats, 8);
    EXPECT_DOUBLE_EQ(e.time_ms, 7.0);
    EXPECT_EQ(e.first_seen, 1);
    EXPECT_EQ(e.last_seen, 4);
    EXPECT_EQ(e.total_parent_rows, 20);  // two parent executions
}

TEST(Nplus1Findings, EvictsLeastRecentlySeenSingleOccurrenceFirst) {
    std::vector<uint64_t> mem(Nplus1Findings::required_bytes(2) / 8 + 1);
    Nplus1Findings t = Nplus1Findings::create(mem.data(), 2, 0);
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
Nplus1Finding siblings(uint64_t anchor, std::vector<std::pair<uint64_t, int64_t>> kids) {
    Nplus1Finding f = occurrence(kids[0].first, anchor, kids[0].second);
    f.nchildren = uint8_t(kids.size());
    f.siblings = int32_t(kids.size()) - 1;
    for (size_t i = 0; i < kids.size(); i++)
        f.children[i] = Nplus1Child{kids[i].first, anchor + 1 + i, kids[i].second, kids[i].second, kids[i].second * 0.5, 0,
                                NPLUS1_SELECT};
    return f;
}

const Nplus1FindingEntry* only_entry(const Nplus1Findings& t) {
    const Nplus1FindingEntry* found = nullptr;
    for (uint32_t i = 0; i < t.capacity(); i++)
        if (t.entry(i).in_use) {
            EXPECT_EQ(found, nullptr) << "more than one entry";
            found = &t.entry(i);
        }
    return found;
}

TEST(Nplus1Findings, InterleavedChildrenAreOneEntry) {
    std::vector<uint64_t> mem(Nplus1Findings::required_bytes(8) / 8 + 1);
    Nplus1Findings t = Nplus1Findings::create(mem.data(), 8, 0);
    t.record(siblings(100, {{7, 8}, {9, 8}}), 1);
    t.record(siblings(100, {{7, 8}, {9, 8}}), 2);  // analysed again
    t.record(siblings(200, {{7, 6}, {9, 6}}), 3);
    ASSERT_EQ(t.header().count, 1u);
    const Nplus1FindingEntry* e = only_entry(t);
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
TEST(Nplus1Findings, ChildJoinsAnOccurrenceCountedBefore) {
    std::vector<uint64_t> mem(Nplus1Findings::required_bytes(8) / 8 + 1);
    Nplus1Findings t = Nplus1Findings::create(mem.data(), 8, 0);
    t.record(siblings(100, {{9, 5}}), 1);
    t.record(siblings(100, {{7, 8}, {9, 8}}), 2);
    const Nplus1FindingEntry* e = only_entry(t);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->nchildren, 2);
    EXPECT_EQ(e->occurrences, 1);
    EXPECT_EQ(e->queryid, 9u);  // the entry's first child stays first
    EXPECT_EQ(e->child[0].total_repeats, 8);
    EXPECT_EQ(e->child[1].queryid, 7u);
    EXPECT_EQ(e->child[1].total_repeats, 8);
    EXPECT_EQ(t.header().recorded, 1u);
}

// At most kNplus1MaxChildren children per entry; unrelated parents stay apart.
TEST(Nplus1Findings, ChildrenPerEntryAreBounded) {
    std::vector<uint64_t> mem(Nplus1Findings::required_bytes(8) / 8 + 1);
    Nplus1Findings t = Nplus1Findings::create(mem.data(), 8, 0);
    t.record(siblings(100, {{1, 5}, {2, 5}, {3, 5}, {4, 5}}), 1);
    t.record(siblings(100, {{5, 5}}), 1);  // the fifth child of the same execution
    Nplus1Finding other = occurrence(1, 300, 5);
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
