#include "core/advisor/select.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "core/advisor/cost.h"

using namespace pothos::core::advisor;

namespace {

IndexShape shape(uint32_t rel, std::vector<int16_t> cols, std::string pred = "") {
    IndexShape s;
    s.relid = rel;
    for (int16_t c : cols) {
        IndexKey k;
        k.attnum = c;
        k.name = "c" + std::to_string(c);
        s.keys.push_back(k);
    }
    s.predicate = pred;
    return s;
}

Candidate cand(IndexShape s) {
    Candidate c;
    c.shape = std::move(s);
    return c;
}

// A fake planner: each statement has a base cost; an index in the set gives
// the statement the cost listed for it (the cheapest one wins).
struct FakePlanner {
    std::vector<double> base;
    std::map<std::pair<size_t, size_t>, double> with;  // (candidate, stmt) -> cost
    int calls = 0;
    double operator()(const std::vector<size_t>& set, size_t stmt) {
        calls++;
        double c = base[stmt];
        for (size_t k : set) {
            auto it = with.find({k, stmt});
            if (it != with.end()) c = std::min(c, it->second);
        }
        return c;
    }
};

SelectionInput input(std::vector<Candidate> cs, std::vector<double> calls) {
    SelectionInput in;
    in.candidates = std::move(cs);
    in.bytes.assign(in.candidates.size(), 8192 * 10);
    in.write_cost.assign(in.candidates.size(), 0);
    for (size_t i = 0; i < calls.size(); i++) in.statements.push_back({i + 1, calls[i], {1}});
    return in;
}

}  // namespace

TEST(AdvisorSelect, PicksTheCandidateThatPays) {
    auto in = input({cand(shape(1, {2})), cand(shape(1, {3}))}, {100});
    FakePlanner p{{1000}, {{{0, 0}, 10}, {{1, 0}, 995}}};
    auto out = select_indexes(in, std::ref(p));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].candidate, 0u);
    EXPECT_DOUBLE_EQ(out[0].cost_before, 1000);
    EXPECT_DOUBLE_EQ(out[0].cost_after, 10);
    EXPECT_DOUBLE_EQ(out[0].improvement_pct, 99);
    EXPECT_DOUBLE_EQ(out[0].saving, 100 * 990);
}

TEST(AdvisorSelect, MinImprovementFilters) {
    auto in = input({cand(shape(1, {2}))}, {100});
    FakePlanner p{{1000}, {{{0, 0}, 950}}};
    SelectOptions o;
    o.min_improvement_pct = 10;
    EXPECT_TRUE(select_indexes(in, std::ref(p), o).empty());
    o.min_improvement_pct = 4;
    EXPECT_EQ(select_indexes(in, std::ref(p), o).size(), 1u);
}

TEST(AdvisorSelect, WriteCostOutweighsSaving) {
    auto in = input({cand(shape(1, {2}))}, {2});
    in.write_cost[0] = 5000;  // e.g. 5000 inserted rows
    FakePlanner p{{1000}, {{{0, 0}, 10}}};
    EXPECT_TRUE(select_indexes(in, std::ref(p)).empty());
    in.write_cost[0] = 100;
    EXPECT_EQ(select_indexes(in, std::ref(p)).size(), 1u);
}

TEST(AdvisorSelect, ExistingIndexServesCandidateAsPrefix) {
    auto in = input({cand(shape(1, {2})), cand(shape(1, {2, 3}))}, {100});
    in.existing.push_back(shape(1, {2, 3, 4}));
    FakePlanner p{{1000}, {{{0, 0}, 10}, {{1, 0}, 5}}};
    EXPECT_TRUE(select_indexes(in, std::ref(p)).empty());
}

TEST(AdvisorSelect, PartialExistingIndexDoesNotServeWholeTableCandidate) {
    auto in = input({cand(shape(1, {2}))}, {100});
    in.existing.push_back(shape(1, {2}, "NOT c6"));
    FakePlanner p{{1000}, {{{0, 0}, 10}}};
    EXPECT_EQ(select_indexes(in, std::ref(p)).size(), 1u);
}

TEST(AdvisorSelect, WiderChosenIndexReplacesItsPrefix) {
    // stmt 0 uses (2); stmt 1 uses (2,3). (2) comes first (cheaper per
    // byte); (2,3) then adds 29 % of stmt 1's cost and replaces it.
    auto in = input({cand(shape(1, {2})), cand(shape(1, {2, 3}))}, {100, 100});
    in.bytes = {8192 * 10, 8192 * 12};
    FakePlanner p{{1000, 1000}, {{{0, 0}, 10}, {{0, 1}, 300}, {{1, 0}, 11}, {{1, 1}, 10}}};
    auto out = select_indexes(in, std::ref(p));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].candidate, 1u);
}

TEST(AdvisorSelect, RefinementThatBreaksHotUpdatesIsMeasuredAgainstTodaysCost) {
    // (2) takes stmt 0 from 1000 to 30; (2,3) would take it to 10: 67 % of
    // what is left, but 2 % of today's cost.
    auto in = input({cand(shape(1, {2})), cand(shape(1, {2, 3}))}, {100});
    FakePlanner p{{1000}, {{{0, 0}, 30}, {{1, 0}, 10}}};
    in.bytes = {8192 * 10, 8192 * 20};
    // Without HOT updates at stake the refinement is taken (and replaces (2)).
    auto out = select_indexes(in, std::ref(p));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].candidate, 1u);
    EXPECT_DOUBLE_EQ(out[0].cost_before, 1000);
    EXPECT_DOUBLE_EQ(out[0].cost_after, 10);
    // When column 3 is assigned by HOT updates, it is not.
    in.breaks_hot = {false, true};
    out = select_indexes(in, std::ref(p));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].candidate, 0u);
    EXPECT_DOUBLE_EQ(out[0].cost_after, 30);
}

TEST(AdvisorSelect, SetNotListSecondIndexPricedAgainstTheFirst) {
    // Two candidates that help the same statement equally: only one is kept.
    auto in = input({cand(shape(1, {2})), cand(shape(1, {3}))}, {100});
    FakePlanner p{{1000}, {{{0, 0}, 10}, {{1, 0}, 12}}};
    auto out = select_indexes(in, std::ref(p));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].candidate, 0u);
}

TEST(AdvisorSelect, BenefitPerByteDecides) {
    // Both pay; the smaller one with nearly the same saving comes first, the
    // bigger one then adds too little on top.
    auto in = input({cand(shape(1, {2, 3, 4})), cand(shape(1, {2}))}, {100});
    in.bytes = {8192 * 100, 8192 * 10};
    FakePlanner p{{1000}, {{{0, 0}, 9.5}, {{1, 0}, 10}}};
    auto out = select_indexes(in, std::ref(p));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].candidate, 1u);
}

TEST(AdvisorSelect, IndexesOnDifferentTablesBothChosenAndOracleCached) {
    auto in = input({cand(shape(1, {2})), cand(shape(2, {3}))}, {100, 100});
    in.statements[1].relids = {2};
    FakePlanner p{{1000, 500}, {{{0, 0}, 10}, {{1, 1}, 5}}};
    auto out = select_indexes(in, std::ref(p));
    EXPECT_EQ(out.size(), 2u);
    int first = p.calls;
    EXPECT_LE(first, 12);
}

TEST(AdvisorSelect, FailedPlanningIsIgnored) {
    auto in = input({cand(shape(1, {2}))}, {100});
    FakePlanner p{{-1}, {{{0, 0}, 10}}};
    EXPECT_TRUE(select_indexes(in, std::ref(p)).empty());
}

TEST(AdvisorServes, PrefixDirectionAndPredicate) {
    IndexShape ab = shape(1, {2, 3}), a = shape(1, {2}), b = shape(1, {3});
    EXPECT_TRUE(serves(ab, a));
    EXPECT_FALSE(serves(ab, b));
    EXPECT_FALSE(serves(a, ab));
    EXPECT_FALSE(serves(shape(2, {2, 3}), a));
    IndexShape ab_desc = ab;
    ab_desc.keys[1].desc = true;
    EXPECT_FALSE(serves(ab_desc, ab));
    EXPECT_TRUE(serves(ab_desc, a));
    IndexShape flipped = ab_desc;
    for (auto& k : flipped.keys) k.desc = !k.desc, k.nulls_first = !k.nulls_first;
    EXPECT_TRUE(serves(flipped, ab_desc));
    EXPECT_TRUE(serves(ab, shape(1, {2}, "NOT c6")));
    EXPECT_FALSE(serves(shape(1, {2, 3}, "NOT c6"), a));
}

TEST(AdvisorCost, BtreeSizeIsRealistic) {
    // 400 000 bigint keys: 16-byte tuples + 4-byte line pointers, ~366 per
    // leaf page at 90 % fill -> ~1094 leaves, 1 root... about 9 MB.
    BtreeSize s = estimate_btree_size(400000, {8});
    EXPECT_NEAR(s.leaf_pages, 1094, 5);
    EXPECT_EQ(s.tree_height, 2);
    EXPECT_NEAR(s.bytes / (1024.0 * 1024.0), 8.6, 0.3);
    BtreeSize tiny = estimate_btree_size(10, {8});
    EXPECT_EQ(tiny.tree_height, 0);
    EXPECT_DOUBLE_EQ(tiny.pages, 2);
    EXPECT_GT(estimate_btree_size(400000, {8, 32}).pages, s.pages);
}

TEST(AdvisorCost, WriteEntriesForInsertsDeletesAndUpdates) {
    TableWrites w;
    w.inserted = 100;
    w.deleted = 10;
    w.index_count = 2;
    w.indexed_columns = {1, 7};
    // HOT today (3, 4 not indexed); not HOT today (touches 7); HOT, untouched (5).
    w.updated = {{{3, 4}, 50}, {{7}, 20}, {{5}, 1000}};
    // (2, 3): the first update loses HOT -> an entry in all 3 indexes; the
    // non-HOT one adds an entry to the new index too.
    EXPECT_DOUBLE_EQ(index_write_rows(w, shape(1, {2, 3})), 110 + 50 * 3 + 20);
    // (2): touches none of the HOT updates.
    EXPECT_DOUBLE_EQ(index_write_rows(w, shape(1, {2})), 110 + 20);
    IndexShape p = shape(1, {2}, "c5 IS NULL");
    p.predicate_attnums = {5};
    EXPECT_DOUBLE_EQ(index_write_rows(w, p), 110 + 20 + 1000 * 3);
    EXPECT_TRUE(breaks_hot_updates(w, shape(1, {2, 3})));
    EXPECT_FALSE(breaks_hot_updates(w, shape(1, {2})));
    EXPECT_FALSE(breaks_hot_updates(w, shape(1, {7, 2})));  // updates of 7 are not HOT today
    EXPECT_TRUE(breaks_hot_updates(w, p));
    EXPECT_DOUBLE_EQ(write_cost_per_row(estimate_btree_size(10, {8})), kWritePageCost + kLevelCost);
}

TEST(AdvisorCost, WeightedMeanAndImprovement) {
    EXPECT_DOUBLE_EQ(weighted_mean({1, 3}, {10, 20}), 17.5);
    EXPECT_DOUBLE_EQ(weighted_mean({}, {}), 0);
    EXPECT_DOUBLE_EQ(improvement_pct(200, 50), 75);
    EXPECT_DOUBLE_EQ(improvement_pct(0, 50), 0);
}

TEST(AdvisorServes, IncludeAndExpressionKeys) {
    IndexShape a = shape(1, {3}), a_inc = shape(1, {3}), ab = shape(1, {3, 4});
    IndexKey qty;
    qty.attnum = 4;
    qty.name = "c4";
    a_inc.include = {qty};
    EXPECT_TRUE(serves(a_inc, a));
    EXPECT_FALSE(serves(a, a_inc));   // a returns no c4: no index-only scan
    EXPECT_TRUE(serves(ab, a_inc));   // c4 is a key of ab
    IndexShape lower = shape(1, {}), lower2 = shape(1, {});
    IndexKey e;
    e.name = e.expr = "lower(c2)";
    lower.keys = {e};
    e.name = e.expr = "upper(c2)";
    lower2.keys = {e};
    EXPECT_TRUE(serves(lower, lower));
    EXPECT_FALSE(serves(lower, lower2));
    EXPECT_FALSE(serves(lower, shape(1, {0})));
    EXPECT_NE(shape_id(lower), shape_id(lower2));
    EXPECT_NE(shape_id(a), shape_id(a_inc));
}

TEST(AdvisorSelect, MeasuredTimeWeighsSavingsAgainstWriteTime) {
    // Statement 0 ran 10 calls taking 500 ms in all at plan cost 100: the
    // index (cost 10) saves 90 % of it, 450 ms.
    auto in = input({cand(shape(1, {2}))}, {10});
    in.statements[0].exec_ms = 500;
    FakePlanner p;
    p.base = {100};
    p.with = {{{0, 0}, 10}};
    CostOracle o = std::ref(p);
    in.write_cost = {400};  // ms: less than it saves
    auto r = select_indexes(in, o);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_DOUBLE_EQ(r[0].saving, 450);
    in.write_cost = {460};  // ms: more than it saves
    EXPECT_TRUE(select_indexes(in, o).empty());
}

TEST(AdvisorSelect, ChosenIndexSwappedForAWiderOneThatServesMore) {
    // (c2) is smaller and serves statement 0 alone as well as (c2, c3);
    // (c2, c3) also serves statement 1 (c2 = ? ORDER BY c3 LIMIT), where
    // (c2) helps less. The greedy step takes (c2) first, then the swap.
    IndexShape narrow = shape(1, {2}), wide = shape(1, {2, 3});
    auto in = input({cand(narrow), cand(wide)}, {10, 10});
    in.bytes = {8192.0 * 10, 8192.0 * 20};
    FakePlanner p;
    p.base = {100, 100};
    p.with = {{{0, 0}, 10}, {{0, 1}, 40}, {{1, 0}, 10}, {{1, 1}, 5}};
    CostOracle o = std::ref(p);
    auto r = select_indexes(in, o);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].candidate, 1u);
    EXPECT_EQ(r[0].statements.size(), 2u);
    // When the wider one adds too little (under the threshold), no swap.
    p.with[{1, 1}] = 38;
    r = select_indexes(in, o);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].candidate, 0u);
}

TEST(AdvisorCost, EntryTimeFromTheMeasuredInsertsAndWalIncrease) {
    TableWrites w;
    w.inserted = 1000;
    w.insert_ms = 20;  // 20 us a row, shared by the heap and one index
    w.index_count = 1;
    EXPECT_DOUBLE_EQ(index_entry_ms(w), 0.01);
    EXPECT_DOUBLE_EQ(index_write_ms(w, shape(1, {2})), 1000 * 0.01);
    // Without INSERTs: every write's time per row written.
    TableWrites u;
    u.updated = {{{3}, 100}};
    u.write_ms = 50;
    EXPECT_DOUBLE_EQ(index_entry_ms(u), 0.5);
    EXPECT_DOUBLE_EQ(index_entry_ms(TableWrites{}), 0);
    // WAL: a 100-byte row with a primary key writes 52 + 24 + 100 + 52 + 20
    // bytes; an index of 16-byte entries adds 68 of them.
    EXPECT_DOUBLE_EQ(insert_wal_bytes(100, 1), 248);
    EXPECT_NEAR(wal_increase_pct(100, 1, 16), 100.0 * 68 / 248, 1e-9);
}
