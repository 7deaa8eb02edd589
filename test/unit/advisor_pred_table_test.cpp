#include "core/advisor/pred_table.h"

#include <gtest/gtest.h>

#include <vector>

using namespace pothos::core::advisor;

namespace {

PredKey key(uint64_t q, int16_t att = 1, UseKind kind = UseKind::Eq, uint32_t db = 5) {
    PredKey k{};
    k.dbid = db;
    k.relid = 1000;
    k.queryid = q;
    k.attnum = att;
    k.kind = static_cast<uint8_t>(kind);
    return k;
}

struct Table {
    std::vector<uint64_t> mem;
    PredTable t;
    explicit Table(uint32_t cap) : mem(PredTable::required_bytes(cap) / 8 + 1) {
        t = PredTable::create(mem.data(), cap);
    }
};

}  // namespace

TEST(AdvisorPredTable, RecordsAndAccumulates) {
    Table tb(8);
    tb.t.record(key(1), 10, 90, false);
    tb.t.record(key(1), 5, 95, true);
    tb.t.record(key(1, 2), 1, 0, false);
    PredEntry* e = tb.t.find(key(1));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->stats.samples, 2u);
    EXPECT_DOUBLE_EQ(e->stats.rows_returned, 15);
    EXPECT_DOUBLE_EQ(e->stats.rows_filtered, 185);
    EXPECT_EQ(e->stats.index_cond, 1u);
    EXPECT_NE(tb.t.find(key(1, 2)), nullptr);
    EXPECT_EQ(tb.t.find(key(1, 3)), nullptr);
    EXPECT_EQ(tb.t.find(key(1, 1, UseKind::Range)), nullptr);
    EXPECT_EQ(tb.t.header().updates, 3u);
}

TEST(AdvisorPredTable, AttachSeesTheSameData) {
    Table tb(8);
    tb.t.record(key(7), 1, 1, false);
    PredTable other = PredTable::attach(tb.mem.data());
    ASSERT_TRUE(other.valid());
    EXPECT_NE(other.find(key(7)), nullptr);
    std::vector<uint64_t> junk(64, 0);
    EXPECT_FALSE(PredTable::attach(junk.data()).valid());
}

TEST(AdvisorPredTable, FullTableEvictsTheLeastUsedByClock) {
    Table tb(4);
    for (uint64_t q = 1; q <= 4; q++) tb.t.record(key(q), 1, 1, false);
    // Entry 1 is busy.
    for (int i = 0; i < 6; i++) tb.t.record(key(1), 1, 1, false);
    tb.t.record(key(5), 1, 1, false);
    EXPECT_EQ(tb.t.header().evictions, 1u);
    EXPECT_NE(tb.t.find(key(1)), nullptr);
    EXPECT_NE(tb.t.find(key(5)), nullptr);
    int present = 0;
    for (uint64_t q = 1; q <= 5; q++) present += tb.t.find(key(q)) != nullptr;
    EXPECT_EQ(present, 4);
}

TEST(AdvisorPredTable, ChurnStaysBoundedAndBusyEntriesSurvive) {
    Table tb(16);
    for (uint64_t q = 100; q < 5000; q++) {
        tb.t.record(key(1), 1, 1, false);  // hot, touched between every newcomer
        tb.t.record(key(q), 1, 1, false);
    }
    EXPECT_NE(tb.t.find(key(1)), nullptr);
    uint32_t used = 0;
    for (uint32_t i = 0; i < tb.t.capacity(); i++) used += tb.t.in_use(i);
    EXPECT_EQ(used, 16u);
    EXPECT_EQ(tb.t.header().evictions, 4900u - 15u);
}

TEST(AdvisorPredTable, ClearByDatabaseFreesSlotsForReuse) {
    Table tb(4);
    tb.t.record(key(1, 1, UseKind::Eq, 5), 1, 1, false);
    tb.t.record(key(2, 1, UseKind::Eq, 6), 1, 1, false);
    tb.t.record(key(3, 1, UseKind::Eq, 5), 1, 1, false);
    tb.t.clear(5);
    EXPECT_EQ(tb.t.find(key(1, 1, UseKind::Eq, 5)), nullptr);
    EXPECT_NE(tb.t.find(key(2, 1, UseKind::Eq, 6)), nullptr);
    for (uint64_t q = 10; q < 13; q++) tb.t.record(key(q), 1, 1, false);
    EXPECT_EQ(tb.t.header().evictions, 0u);
    tb.t.clear(0);
    EXPECT_EQ(tb.t.find(key(2, 1, UseKind::Eq, 6)), nullptr);
}
