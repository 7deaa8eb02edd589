#include "core/nplus1/detector.h"
#include "core/nplus1/value_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <vector>

using namespace pothos::core;

namespace {

constexpr uint64_t PARENT = 100, CHILD = 200, CHILD2 = 300, KEEPALIVE = 400, INSERT = 500, FN = 600, UPDATE = 700;
constexpr uint16_t LOOKUP = NPLUS1_SELECT | NPLUS1_HAS_TABLE | NPLUS1_KEY_LOOKUP;
constexpr uint16_t SCAN = NPLUS1_SELECT | NPLUS1_HAS_TABLE;
constexpr uint16_t WRITE = NPLUS1_DML | NPLUS1_SINGLE_ROW;
constexpr uint64_t CLIENT = nplus1_group(0x5eed0, Nplus1GroupKind::Client);
constexpr uint64_t TAG = nplus1_group(0x7a90, Nplus1GroupKind::Tag);

struct Trace {
    std::vector<Nplus1Event> ev;
    std::vector<Nplus1ProvEntry> prov;
    int64_t now = 1000000;
    uint64_t group = TAG;

    Nplus1Event& add(uint64_t q, uint16_t flags, int64_t rows, uint64_t param, int64_t gap_us = 1000,
                     uint32_t backend = 1, uint16_t nesting = 0) {
        now += gap_us;
        Nplus1Event e{};
        e.seq = ev.size();
        e.id = e.seq;
        e.group = group;
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
    // A SELECT whose rows' values were hashed: one row per value.
    Nplus1Event& parent(uint64_t q, const std::vector<int64_t>& values, int64_t gap_us = 1000, uint32_t backend = 1) {
        Nplus1Event& e = add(q, SCAN | NPLUS1_HASHED, int64_t(values.size()), 0x9a7e070000 + ev.size(), gap_us, backend);
        for (int64_t v : values) prov.push_back(Nplus1ProvEntry{nplus1_key_int(v), uint32_t(ev.size() - 1)});
        return e;
    }
    // A statement whose (first) key is key.
    Nplus1Event& keyed(uint64_t q, int64_t key, int64_t gap_us = 1000, uint32_t backend = 1, uint16_t flags = LOOKUP) {
        Nplus1Event& e = add(q, flags, 1, 0x1000 + uint64_t(key), gap_us, backend);
        e.keys[0] = nplus1_key_int(key);
        return e;
    }
    std::vector<Nplus1Finding> detect(Nplus1Config cfg = Nplus1Config{}) const {
        std::vector<Nplus1ProvEntry> p = prov;
        p.resize(nplus1_index_provenance(p.data(), p.size()));
        std::vector<uint64_t> mem(nplus1_scratch_bytes(ev.size()) / 8 + 1);
        std::vector<Nplus1Finding> out(256);
        size_t n = nplus1_detect(ev.data(), ev.size(), cfg, p.data(), p.size(), nplus1_scratch_at(mem.data(), ev.size()),
                                 out.data(), out.size());
        out.resize(n);
        return out;
    }
};

std::vector<int64_t> range(int64_t from, int64_t n) {
    std::vector<int64_t> v;
    for (int64_t i = 0; i < n; i++) v.push_back(from + i);
    return v;
}

std::vector<Nplus1Finding> of_kind(const std::vector<Nplus1Finding>& f, Nplus1Kind k) {
    std::vector<Nplus1Finding> out;
    for (const auto& x : f)
        if (x.kind == k) out.push_back(x);
    return out;
}

TEST(Nplus1Detector, ClassicLoopAfterParent) {
    Trace t;
    t.parent(PARENT, range(1, 10));
    for (int i = 0; i < 10; i++) t.keyed(CHILD, 1 + i);
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
    t.parent(PARENT, range(1, 10));
    for (int i = 0; i < 4; i++) t.keyed(CHILD, 1 + i);
    EXPECT_TRUE(t.detect().empty());
}

// Lookups right after a parent whose rows do not hold their keys: the order
// of statements alone is no evidence.
TEST(Nplus1Detector, KeysNotFromTheParentAreNoLoop) {
    Trace t;
    t.parent(PARENT, range(1, 10));
    for (int i = 0; i < 10; i++) t.keyed(CHILD, 501 + i);
    EXPECT_TRUE(t.detect().empty());
}

TEST(Nplus1Detector, ParentWithFewRowsOrUnhashedIsNotAParent) {
    Trace t;
    t.parent(PARENT, range(1, 3));  // fewer rows than min_repeats
    for (int i = 0; i < 6; i++) t.keyed(CHILD, 1 + i % 3);
    EXPECT_TRUE(of_kind(t.detect(), Nplus1Kind::Nplus1).empty());
    Trace u;
    u.parent(PARENT, range(1, 10)).flags &= uint16_t(~NPLUS1_HASHED);  // its rows were not hashed
    for (int i = 0; i < 10; i++) u.keyed(CHILD, 1 + i);
    EXPECT_TRUE(u.detect().empty());
}

// A lookup per row of values that repeat (each todo's owner) is an N+1, not
// a cacheable duplicate: the batched query takes the distinct keys.
TEST(Nplus1Detector, RepeatedKeysFromTheParentAreAnNPlusOne) {
    Trace t;
    t.parent(PARENT, {7, 8, 7, 7, 8, 7, 8, 7});
    for (int64_t k : {7, 8, 7, 7, 8, 7, 8, 7}) t.keyed(CHILD, k);
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::Nplus1);
    EXPECT_EQ(f[0].repeats, 8);
    EXPECT_EQ(f[0].distinct_params, 2);
}

TEST(Nplus1Detector, SameParametersWithoutAParentAreADuplicate) {
    Trace t;
    t.parent(PARENT, range(1, 10));
    for (int i = 0; i < 10; i++) t.keyed(CHILD, 42);
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::DuplicateQuery);
    EXPECT_EQ(f[0].repeats, 10);
    EXPECT_EQ(f[0].distinct_params, 1);
}

// A B A B ...: two lookups per parent row are ONE finding listing both
// children, in order of first execution; the scalars describe the first.
TEST(Nplus1Detector, InterleavedChildrenAreOneFinding) {
    Trace t;
    t.parent(PARENT, range(1, 8));
    for (int i = 0; i < 8; i++) {
        t.keyed(CHILD2, 1 + i, 1000, 1, LOOKUP | NPLUS1_LIMIT1);
        t.keyed(CHILD, 1 + i);
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
}

// Per parent row, a lookup that returns many rows (todos of the list) and
// the lookup of the list's owner: the first is no parent of the second, its
// rows do not hold the owners' keys. Both are children of the list query.
TEST(Nplus1Detector, SiblingThatReturnedRowsIsNotAParent) {
    Trace t;
    t.parent(PARENT, {1, 101, 2, 102, 3, 103, 4, 104, 5, 105, 6, 106});  // (list id, owner id) per row
    for (int i = 0; i < 6; i++) {
        Nplus1Event& todos = t.parent(CHILD2, range(1000 + 20 * i, 20));  // returns 20 rows (todo ids)
        todos.flags |= NPLUS1_KEY_LOOKUP;
        todos.keys[0] = nplus1_key_int(1 + i);
        t.keyed(CHILD, 101 + i);
    }
    auto f = of_kind(t.detect(), Nplus1Kind::Nplus1);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].parent_queryid, PARENT);
    ASSERT_EQ(f[0].nchildren, 2);
    EXPECT_EQ(f[0].children[0].queryid, CHILD2);
    EXPECT_EQ(f[0].children[0].repeats, 6);
    EXPECT_EQ(f[0].children[1].queryid, CHILD);
    EXPECT_EQ(f[0].children[1].repeats, 6);
}

// A lookup whose rows do hold the next lookups' keys is their parent (a
// chain: todos of a list, then each todo's assignee).
TEST(Nplus1Detector, LookupWhoseRowsHoldTheKeysIsTheirParent) {
    Trace t;
    t.parent(PARENT, range(1, 5));
    for (int l = 0; l < 5; l++) {
        Nplus1Event& todos = t.parent(CHILD2, range(100 * (l + 1), 6));
        todos.flags |= NPLUS1_KEY_LOOKUP;
        todos.keys[0] = nplus1_key_int(1 + l);
        for (int u = 0; u < 6; u++) t.keyed(CHILD, 100 * (l + 1) + u);
    }
    auto f = of_kind(t.detect(), Nplus1Kind::Nplus1);
    int lists = 0, todos = 0;
    for (const auto& x : f) {
        if (x.parent_queryid == PARENT && x.queryid == CHILD2) {
            lists++;
            EXPECT_EQ(x.repeats, 5);
        }
        if (x.parent_queryid == CHILD2 && x.queryid == CHILD) {
            todos++;
            EXPECT_EQ(x.repeats, 6);
        }
    }
    EXPECT_EQ(lists, 1);
    EXPECT_EQ(todos, 5);
    EXPECT_EQ(f.size(), 6u);
}

// A lookup's rows that only echo its own key (todos of list 3 carry list_id
// 3) do not make it the parent of the next lookup of list 3: the same
// lookup again and again is a duplicate.
TEST(Nplus1Detector, OwnKeyEchoedIsNoProvenance) {
    Trace t;
    t.group = CLIENT;
    for (int i = 0; i < 8; i++) {
        Nplus1Event& todos = t.parent(CHILD2, {3, 3, 3, 3, 3, 3, 1000 + i});  // list_id 3 on every row
        todos.flags |= NPLUS1_KEY_LOOKUP;
        todos.keys[0] = nplus1_key_int(3);
        todos.param_hash = 0x33;
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::DuplicateQuery);
    EXPECT_EQ(f[0].repeats, 8);
}

// Children of different parent executions stay apart; more than
// kNplus1MaxChildren children of one execution make further findings.
TEST(Nplus1Detector, AtMostFourChildrenPerFinding) {
    Trace t;
    t.parent(PARENT, range(1, 6));
    for (int i = 0; i < 6; i++)
        for (uint64_t c = 0; c < 5; c++) t.keyed(CHILD + c, 1 + i);
    t.parent(PARENT, range(11, 6));
    for (int i = 0; i < 6; i++) t.keyed(CHILD, 11 + i);
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
    t.parent(PARENT, range(1, 6));
    for (int i = 0; i < 6; i++) {
        t.keyed(CHILD, 1 + i);
        if (i % 2) t.add(KEEPALIVE, NPLUS1_SELECT, 1, 7);
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::Nplus1);
}

// A pause longer than idle_gap ends the loop: three lookups, then three
// more much later, are not one.
TEST(Nplus1Detector, IdleGapEndsTheLoop) {
    Trace t;
    t.parent(PARENT, range(1, 10));
    for (int i = 0; i < 3; i++) t.keyed(CHILD, 1 + i);
    for (int i = 0; i < 3; i++) t.keyed(CHILD, 4 + i, i == 0 ? 600000 : 1000);
    EXPECT_TRUE(t.detect().empty());
}

TEST(Nplus1Detector, EachParentExecutionIsOneOccurrence) {
    Trace t;
    for (int r = 0; r < 3; r++) {
        t.parent(PARENT, range(10 * r, 5));
        for (int i = 0; i < 5; i++) t.keyed(CHILD, 10 * r + i);
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 3u);
    EXPECT_NE(f[0].anchor, f[1].anchor);
    EXPECT_EQ(f[2].repeats, 5);
}

// Two executions of the same parent return the same rows; each loop is
// counted against its own parent execution (the latest holding the key).
TEST(Nplus1Detector, RepeatedRequestsCountEachLoopOnce) {
    Trace t;
    for (int r = 0; r < 3; r++) {
        t.parent(PARENT, range(1, 6), 300000);
        for (int i = 0; i < 6; i++) t.keyed(CHILD, 1 + i);
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 3u);
    for (const auto& x : f) EXPECT_EQ(x.repeats, 6);
}

TEST(Nplus1Detector, BatchedAndQueueQueriesAreNotLoops) {
    Trace t;
    t.parent(PARENT, range(1, 100));
    for (int i = 0; i < 6; i++) t.keyed(CHILD, 1 + i, 1000, 1, SCAN | NPLUS1_BATCHED);  // chunked IN batches
    for (int i = 0; i < 6; i++) t.keyed(CHILD2, 10 + i, 1000, 1, LOOKUP | NPLUS1_SKIP_LOCKED);
    EXPECT_TRUE(t.detect().empty());
}

TEST(Nplus1Detector, RowByRowInsert) {
    Trace t;
    for (int i = 0; i < 7; i++) t.add(INSERT, WRITE, 1, 1000 + i);
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::RowByRowDml);
    EXPECT_EQ(f[0].repeats, 7);
}

// One write per row of the parent, keyed by the row's value: the parent is
// named by provenance, also where the group is a client's.
TEST(Nplus1Detector, RowByRowWritesOfTheParentsRows) {
    Trace t;
    t.group = CLIENT;
    t.parent(PARENT, range(40, 6));
    for (int i = 0; i < 6; i++) {
        t.keyed(UPDATE, 40 + i, 1000, 1, WRITE);
        t.add(KEEPALIVE, SCAN, 1, 30 + uint64_t(i));  // something else in between
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::RowByRowDml);
    EXPECT_EQ(f[0].parent_queryid, PARENT);
    EXPECT_EQ(f[0].anchor, 0u);
    EXPECT_EQ(f[0].repeats, 6);
}

TEST(Nplus1Detector, MultiRowInsertsAreBulk) {
    Trace t;
    for (int i = 0; i < 7; i++) t.add(INSERT, NPLUS1_DML, 100, 1000 + i);
    EXPECT_TRUE(t.detect().empty());
}

TEST(Nplus1Detector, NestedRepeatsAreAServerSideLoop) {
    for (uint64_t group : {TAG, CLIENT}) {
        Trace t;
        t.group = group;
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
}

// A pooled client resolving the parent's rows on ten connections at once.
TEST(Nplus1Detector, ConcurrentChildrenOnManyBackends) {
    Trace t;
    t.group = CLIENT;
    t.parent(PARENT, range(1, 20), 1000, 1);
    for (int i = 0; i < 20; i++) t.keyed(CHILD, 1 + i, 100, uint32_t(2 + i % 10));
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::Nplus1);
    EXPECT_EQ(f[0].repeats, 20);
}

// Independent requests side by side on eight connections of one client,
// back to back, each with its own random keys from a small key space: a
// list query, lookups, a write. Lookups land on values some list just
// returned by chance, at the rate they did before the list ran: no loop, no
// duplicate, no row-by-row write. With one request type that does loop over
// its list's rows, exactly that loop is found, with its parent.
struct Rng {  // splitmix64
    uint64_t s = 0x2545f4914f6cdd1dull;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    int64_t in(int64_t lo, int64_t hi) { return lo + int64_t(next() % uint64_t(hi - lo + 1)); }
};

Trace independent_requests(int requests, bool with_loop) {
    constexpr uint64_t LOOP_PARENT = 900, LOOP_CHILD = 910;
    Trace t;
    t.group = CLIENT;
    Rng rng;
    for (int r = 0; r < requests; r++) {
        const uint32_t backend = uint32_t(1 + r % 8);
        std::vector<int64_t> listed;
        for (int i = 0; i < 12; i++) listed.push_back(rng.in(1, 400));
        t.parent(PARENT, listed, 150, backend);
        for (int i = 0; i < 4; i++) t.keyed(CHILD, rng.in(1, 400), 150, backend);
        t.keyed(UPDATE, rng.in(1, 400), 150, backend, WRITE);
        if (with_loop && r % 10 == 3) {
            std::vector<int64_t> rows;
            for (int i = 0; i < 8; i++) rows.push_back(rng.in(1, 400));
            t.parent(LOOP_PARENT, rows, 150, backend);
            for (int64_t k : rows) t.keyed(LOOP_CHILD, k, 150, backend);
        }
    }
    return t;
}

// The window read starts where the trace does (traffic went on before it).
Nplus1Config read_from_start(const Trace& t) {
    Nplus1Config cfg;
    cfg.visible_from_us = t.ev[0].ts_us;
    return cfg;
}

TEST(Nplus1Detector, IndependentRequestsSideBySideAreNoFinding) {
    Trace t = independent_requests(2000, false);
    auto f = t.detect(read_from_start(t));
    EXPECT_TRUE(f.empty()) << f.size() << " findings, first " << nplus1_kind_name(f[0].kind) << " of "
                           << f[0].queryid << " after " << f[0].parent_queryid;
}

TEST(Nplus1Detector, OneRealLoopAmongIndependentRequests) {
    Trace t = independent_requests(2000, true);
    auto f = t.detect(read_from_start(t));
    ASSERT_FALSE(f.empty());
    for (const auto& x : f) {
        EXPECT_EQ(x.kind, Nplus1Kind::Nplus1);
        EXPECT_EQ(x.parent_queryid, 900u);
        EXPECT_EQ(x.queryid, 910u);
        EXPECT_EQ(x.repeats, 8);
    }
    EXPECT_GE(f.size(), 190u);  // one per loop request (200), a few keys taken by a later list
}

// A parent's values looked up as often before it ran as after: chance.
// With little history read, the bar is higher (one chance hit more than
// seen is assumed).
TEST(Nplus1Detector, BackgroundHitsAreNotALoop) {
    Trace t;
    t.group = CLIENT;
    for (int i = 0; i < 120; i++) t.keyed(CHILD, 1 + i % 6, 5000, 2);  // hot keys, all the time
    t.parent(PARENT, range(1, 6), 5000, 1);
    for (int i = 0; i < 40; i++) t.keyed(CHILD, 1 + i % 6, 5000, 2);
    EXPECT_TRUE(of_kind(t.detect(read_from_start(t)), Nplus1Kind::Nplus1).empty());
    Trace u;
    u.group = CLIENT;
    u.keyed(CHILD, 99, 5000, 2);
    u.parent(PARENT, range(1, 6), 100000, 1);
    for (int i = 0; i < 5; i++) u.keyed(CHILD, 1 + i, 5000, 2);
    EXPECT_TRUE(u.detect(read_from_start(u)).empty());  // 100 ms read before a 25 ms loop of 5
    EXPECT_EQ(u.detect().size(), 1u);                    // everything before was read: nothing
    for (Nplus1Event& e : u.ev) e.group = TAG;           // one request: no chance hits of others to weigh
    EXPECT_EQ(u.detect(read_from_start(u)).size(), 1u);
}

// In a client group, a duplicate is one backend repeating one lookup with
// the same parameters, one execution after the other; keys that collide
// now and then across requests are not.
TEST(Nplus1Detector, ClientDuplicatesAreConsecutiveRepeats) {
    Trace t;
    t.group = CLIENT;
    uint64_t other = 1;
    for (int64_t k : {5, 9, 5, 3, 5, 5, 9, 5, 3, 5}) {
        t.keyed(CHILD, k, 1000, 1);
        t.add(KEEPALIVE, SCAN, 1, other++);
    }
    EXPECT_TRUE(t.detect().empty());
    for (int i = 0; i < 6; i++) {
        t.keyed(CHILD, 42, 1000, 2);
        t.keyed(CHILD, 100 + i, 1000, 3);  // another backend meanwhile
        t.add(KEEPALIVE, SCAN, 1, other++, 1000, 2);
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::DuplicateQuery);
    EXPECT_EQ(f[0].repeats, 6);
    EXPECT_EQ(f[0].distinct_params, 1);
}

// In a client group, row-by-row writes are one backend's statements one
// after the other: one write per request, with reads in between, is not.
TEST(Nplus1Detector, ClientWritesAreConsecutiveStatements) {
    Trace t;
    t.group = CLIENT;
    for (int i = 0; i < 8; i++) {
        t.add(INSERT, WRITE, 1, 2000 + i, 1000, 1);
        t.add(KEEPALIVE, SCAN | NPLUS1_BATCHED, 10, 3 + uint64_t(i), 1000, 1);
    }
    EXPECT_TRUE(t.detect().empty());
    for (int i = 0; i < 6; i++) {
        t.add(INSERT, WRITE, 1, 3000 + i, 1000, 1);
        t.add(KEEPALIVE, SCAN, 1, 50 + uint64_t(i), 10, 2);  // another backend meanwhile
    }
    auto f = t.detect();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].kind, Nplus1Kind::RowByRowDml);
    EXPECT_EQ(f[0].repeats, 6);
}

// A unit whose beginning the caller may not have read is not reported: its
// occurrence would be anchored on another event than when it is read whole.
TEST(Nplus1Detector, UnitsStartingOutOfSightAreNotReported) {
    Trace t;
    for (int i = 0; i < 6; i++) t.keyed(CHILD, 42);
    Nplus1Config cfg;
    ASSERT_EQ(t.detect(cfg).size(), 1u);
    cfg.visible_from_us = t.ev[0].ts_us - cfg.idle_gap_us + 10;
    EXPECT_TRUE(t.detect(cfg).empty());
    cfg.visible_from_us = t.ev[0].ts_us - cfg.idle_gap_us;
    EXPECT_EQ(t.detect(cfg).size(), 1u);
}

// A window that came round may have lost the start of a unit: it is
// reported only when its first statement started its backend's unit of the
// tag (what came before on that backend was another group's). A client's
// run has no such start.
TEST(Nplus1Detector, UnitsOfAWindowThatCameRound) {
    for (uint64_t group : {TAG, CLIENT}) {
        Trace t;
        t.group = group;
        for (int i = 0; i < 6; i++) t.keyed(CHILD, 42);
        Nplus1Config cfg;
        cfg.wrapped_from_us = t.ev[0].ts_us;
        EXPECT_TRUE(t.detect(cfg).empty());
        t.ev[0].flags |= NPLUS1_UNIT_START;
        EXPECT_EQ(t.detect(cfg).size(), group == TAG ? 1u : 0u);
        cfg.wrapped_from_us = t.ev[0].ts_us - cfg.idle_gap_us;
        EXPECT_EQ(t.detect(cfg).size(), 1u);
    }
}

// A client's duplicate is a burst: not a batched fetch that requests repeat,
// not the same lookup spread over more than idle_gap.
TEST(Nplus1Detector, ClientDuplicatesAreBurstsOfLookups) {
    Trace t;
    t.group = CLIENT;
    uint64_t other = 1;
    for (int i = 0; i < 6; i++) {
        t.add(CHILD, SCAN | NPLUS1_BATCHED, 10, 77);
        t.add(KEEPALIVE, SCAN, 1, other++);
    }
    EXPECT_TRUE(t.detect().empty());
    Trace u;
    u.group = CLIENT;
    for (int i = 0; i < 6; i++) u.keyed(CHILD, 42, 200000);  // 200 ms apart, 1 s in all
    EXPECT_TRUE(u.detect().empty());
    Trace v;  // the same in one unit of a tag
    for (int i = 0; i < 6; i++) v.add(CHILD, SCAN | NPLUS1_BATCHED, 10, 77);
    EXPECT_EQ(v.detect().size(), 1u);
}

TEST(Nplus1Detector, OutputCapacityIsRespected) {
    Trace t;
    for (int r = 0; r < 4; r++) {
        t.parent(PARENT, range(100 * r, 10));
        for (int i = 0; i < 10; i++) t.keyed(CHILD, 100 * r + i);
    }
    std::vector<Nplus1ProvEntry> p = t.prov;
    p.resize(nplus1_index_provenance(p.data(), p.size()));
    std::vector<uint64_t> mem(nplus1_scratch_bytes(t.ev.size()) / 8 + 1);
    Nplus1Finding out[2];
    EXPECT_EQ(nplus1_detect(t.ev.data(), t.ev.size(), Nplus1Config{}, p.data(), p.size(),
                            nplus1_scratch_at(mem.data(), t.ev.size()), out, 2),
              2u);
}

// Sorted by value then event, each pair once.
TEST(Nplus1Detector, ProvenanceIndexIsSortedAndUnique) {
    std::vector<Nplus1ProvEntry> e = {{5, 2}, {3, 1}, {5, 2}, {5, 1}, {3, 1}};
    e.resize(nplus1_index_provenance(e.data(), e.size()));
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].value, 3u);
    EXPECT_EQ(e[1].value, 5u);
    EXPECT_EQ(e[1].event, 1u);
    EXPECT_EQ(e[2].event, 2u);
}

// A child whose key is also its own parent's key (a user's todos, then that
// user's profile) is a loop iteration when another statement returned it.
TEST(Nplus1Detector, EchoRuleIsOnlyForTheSameStatement) {
    Trace t;
    t.parent(PARENT, range(1, 8));
    for (int l = 0; l < 6; l++) {
        Nplus1Event& todos = t.parent(CHILD2, {1 + l, 900 + l, 1 + l, 1 + l, 950 + l});  // its rows hold its key
        todos.flags |= NPLUS1_KEY_LOOKUP;
        todos.keys[0] = nplus1_key_int(1 + l);
        t.keyed(CHILD, 1 + l);  // keyed by the same value: the latest parent holding it is the todos lookup
    }
    // Each user lookup is one iteration of its own todos lookup (below
    // min_repeats), not of the list query: the only loop is the todos one.
    auto f = of_kind(t.detect(), Nplus1Kind::Nplus1);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].parent_queryid, PARENT);
    EXPECT_EQ(f[0].queryid, CHILD2);
    EXPECT_EQ(f[0].nchildren, 1);
    EXPECT_EQ(f[0].repeats, 6);
}

}  // namespace
