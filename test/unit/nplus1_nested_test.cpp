// Nested chains (parent -> children -> grandchildren per request), analysed
// the way the extension does: part of a unit while it goes on, the unit when
// it ends, and the whole window at every read of the view. Every occurrence
// must be counted once, and no finding may count more repeats than its child
// executed.
#include "core/nplus1/detector.h"
#include "core/nplus1/findings.h"
#include "core/nplus1/value_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

using namespace pothos::core;

namespace {

constexpr uint64_t VIEWER = 10, LISTS = 20, TODOS = 30, USER = 40;
constexpr uint16_t LOOKUP = NPLUS1_SELECT | NPLUS1_HAS_TABLE | NPLUS1_KEY_LOOKUP;

struct Window {
    std::vector<Nplus1Event> ev;  // the stream, seq = position
    std::vector<std::vector<int64_t>> values;  // what each event returned (hashed)
    int64_t now = 1000000;
    std::map<uint64_t, int64_t> executions;  // per queryid
    uint64_t next_param = 1;

    // A statement with key `key` (0: none) whose rows hold `rows`.
    void add(uint64_t group, uint64_t q, int64_t key, const std::vector<int64_t>& rows) {
        now += 300;
        Nplus1Event e{};
        e.seq = ev.size();
        e.id = e.seq;
        e.group = group;
        e.queryid = q;
        e.flags = LOOKUP | (rows.size() >= 5 ? NPLUS1_HASHED : 0);
        e.rows = rows.empty() ? 1 : int64_t(rows.size());
        e.param_hash = next_param++;
        e.ts_us = now;
        e.exec_ms = 0.1f;
        e.backend = 1;
        e.userid = 10;
        e.dbid = 5;
        e.keys[0] = key ? nplus1_key_int(key) : 0;
        ev.push_back(e);
        values.push_back(rows);
        executions[q]++;
    }

    // Events of group with seq in [from, to), as analyze_group gathers them.
    size_t analyze(Nplus1Findings& t, uint64_t group, uint64_t from, uint64_t to) const {
        std::vector<uint64_t> seqs;
        for (uint64_t s = from; s < to && s < ev.size(); s++)
            if (ev[s].group == group) seqs.push_back(s);
        return detect(t, seqs);
    }

    // The whole window, group by group (nplus1_sweep).
    void sweep(Nplus1Findings& t) const {
        std::vector<uint64_t> all;
        for (uint64_t s = 0; s < ev.size(); s++) all.push_back(s);
        std::stable_sort(all.begin(), all.end(), [this](uint64_t a, uint64_t b) { return ev[a].group > ev[b].group; });
        size_t b = 0;
        while (b < all.size()) {
            size_t e = b + 1;
            while (e < all.size() && ev[all[e]].group == ev[all[b]].group) e++;
            detect(t, std::vector<uint64_t>(all.begin() + long(b), all.begin() + long(e)));
            b = e;
        }
    }

    // The events seqs (one group, in stream order) with the values of their
    // rows, as the extension hands them to the detector.
    size_t detect(Nplus1Findings& t, const std::vector<uint64_t>& seqs) const {
        if (seqs.empty()) return 0;
        std::vector<Nplus1Event> g;
        std::vector<Nplus1ProvEntry> prov;
        for (uint64_t s : seqs) {
            if (ev[s].flags & NPLUS1_HASHED)
                for (int64_t v : values[s]) prov.push_back(Nplus1ProvEntry{nplus1_key_int(v), uint32_t(g.size())});
            g.push_back(ev[s]);
        }
        prov.resize(nplus1_index_provenance(prov.data(), prov.size()));
        std::vector<uint64_t> mem(nplus1_scratch_bytes(g.size()) / 8 + 1);
        std::vector<Nplus1Finding> out(256);
        Nplus1Config cfg;
        size_t n = nplus1_detect(g.data(), g.size(), cfg, prov.data(), prov.size(),
                                 nplus1_scratch_at(mem.data(), g.size()), out.data(), out.size());
        for (size_t i = 0; i < n; i++) t.record(out[i], int64_t(i));
        return n;
    }
};

const Nplus1FindingEntry* find(const Nplus1Findings& t, uint64_t parent, uint64_t child) {
    for (uint32_t i = 0; i < t.capacity(); i++) {
        const Nplus1FindingEntry& e = t.entry(i);
        if (e.in_use && e.kind == uint8_t(Nplus1Kind::Nplus1) && e.parent_queryid == parent && e.queryid == child)
            return &e;
    }
    return nullptr;
}

void expect_bounded_by_executions(const Nplus1Findings& t, const Window& w) {
    for (uint32_t i = 0; i < t.capacity(); i++) {
        const Nplus1FindingEntry& e = t.entry(i);
        if (!e.in_use) continue;
        EXPECT_LE(e.total_repeats, w.executions.at(e.queryid)) << "child " << e.queryid;
        EXPECT_LE(e.time_ms, double(w.executions.at(e.queryid)) * 0.1 + 1e-3) << "child " << e.queryid;
    }
}

// One request: the viewer, its lists (one query), per list its todos (by
// the list's id), per todo its assignee (by the todo's user id);
// grandchildren either right after their todos query (one connection) or
// after all the todos queries (siblings resolved concurrently, then their
// children).
void request(Window& w, uint64_t group, int lists, int todos, bool breadth_first) {
    auto ids = [](int64_t from, int n) {
        std::vector<int64_t> v;
        for (int i = 0; i < n; i++) v.push_back(from + i);
        return v;
    };
    w.add(group, VIEWER, 1, {});
    w.add(group, LISTS, 1, ids(100, lists));
    if (breadth_first) {
        for (int l = 0; l < lists; l++) w.add(group, TODOS, 100 + l, ids(1000 + 10 * l, todos));
        for (int l = 0; l < lists; l++)
            for (int u = 0; u < todos; u++) w.add(group, USER, 1000 + 10 * l + u, {});
    } else {
        for (int l = 0; l < lists; l++) {
            w.add(group, TODOS, 100 + l, ids(1000 + 10 * l, todos));
            for (int u = 0; u < todos; u++) w.add(group, USER, 1000 + 10 * l + u, {});
        }
    }
}

class NestedChain : public ::testing::TestWithParam<bool> {};

TEST_P(NestedChain, EachOccurrenceCountedOnceHoweverOftenAnalysed) {
    const bool breadth_first = GetParam();
    constexpr int kRequests = 12, kLists = 6, kTodos = 7;
    const uint32_t window = 4096;
    std::vector<uint64_t> mem(Nplus1Findings::required_bytes(64, Nplus1Findings::ledger_slots_for(window)) / 8 + 1);
    Nplus1Findings t = Nplus1Findings::create(mem.data(), 64, 0, Nplus1Findings::ledger_slots_for(window));
    Window w;
    for (int r = 0; r < kRequests; r++) {
        const uint64_t group = nplus1_group(0x1000 + uint64_t(r) * 7919, Nplus1GroupKind::Tag);
        const uint64_t start = w.ev.size();
        request(w, group, kLists, kTodos, breadth_first);
        const uint64_t mid = start + (w.ev.size() - start) / 2;
        w.analyze(t, group, start, mid);         // idle_gap after the trigger, the unit goes on
        w.analyze(t, group, start, w.ev.size());  // the unit ended
        if (r % 3 == 2) w.sweep(t);               // a read of the view
    }
    w.sweep(t);
    w.sweep(t);

    const Nplus1FindingEntry* todos = find(t, LISTS, TODOS);
    ASSERT_NE(todos, nullptr);
    EXPECT_EQ(todos->occurrences, kRequests);
    EXPECT_EQ(todos->total_repeats, kRequests * kLists);
    EXPECT_EQ(todos->max_repeats, kLists);
    EXPECT_EQ(todos->total_parent_rows, kRequests * kLists);

    // Each todos query is the parent of its own todos' assignees, wherever
    // they run (right after it, or after all the todos queries).
    const Nplus1FindingEntry* users = find(t, TODOS, USER);
    ASSERT_NE(users, nullptr);
    EXPECT_EQ(users->occurrences, kRequests * kLists);
    EXPECT_EQ(users->max_repeats, kTodos);
    EXPECT_EQ(users->total_repeats, kRequests * kLists * kTodos);
    EXPECT_EQ(w.executions.at(USER), kRequests * kLists * kTodos);
    expect_bounded_by_executions(t, w);
}

INSTANTIATE_TEST_SUITE_P(Order, NestedChain, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) {
                             return i.param ? std::string("BreadthFirst") : std::string("DepthFirst");
                         });

// The ledger forgets only the oldest occurrences of a set: with the ledger
// sized for the window, re-reading a window of 400 occurrences of one
// finding adds nothing.
TEST(Nplus1Findings, ManyOccurrencesOfOneFindingReadAgain) {
    const uint32_t window = 4096;
    std::vector<uint64_t> mem(Nplus1Findings::required_bytes(4, Nplus1Findings::ledger_slots_for(window)) / 8 + 1);
    Nplus1Findings t = Nplus1Findings::create(mem.data(), 4, 0, Nplus1Findings::ledger_slots_for(window));
    Nplus1Finding f{};
    f.kind = Nplus1Kind::Nplus1;
    f.parent_queryid = TODOS;
    f.queryid = USER;
    f.repeats = 7;
    f.distinct_params = 7;
    f.time_ms = 0.7;
    f.parent_rows = 7;
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t a = 0; a < 400; a++) {
            f.anchor = a * 8;
            t.record(f, pass);
        }
    ASSERT_EQ(t.header().count, 1u);
    EXPECT_EQ(t.entry(0).occurrences, 400);
    EXPECT_EQ(t.entry(0).total_repeats, 2800);
    EXPECT_EQ(t.entry(0).total_parent_rows, 2800);
    EXPECT_NEAR(t.entry(0).time_ms, 280.0, 1e-6);
    EXPECT_EQ(t.header().recorded, 400u);
}

}  // namespace
