// The hashes provenance compares (equal values of different types hash
// equal) and the area that keeps what parent queries returned (bounded,
// oldest overwritten first, never a torn read).
#include "core/nplus1/provenance.h"
#include "core/nplus1/value_hash.h"

#include <gtest/gtest.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

using namespace pothos::core;

namespace {

// A numeric's bytes in the server's storage format (after the varlena
// length): the short form for small weights and scales, else the long form.
std::vector<unsigned char> numeric_bytes(bool negative, int weight, int dscale, std::vector<int16_t> digits,
                                         bool long_form = false) {
    std::vector<unsigned char> b;
    auto put16 = [&b](uint16_t v) {
        unsigned char x[2];
        std::memcpy(x, &v, 2);
        b.insert(b.end(), x, x + 2);
    };
    if (!long_form) {
        uint16_t h = 0x8000 | (negative ? 0x2000 : 0) | uint16_t((dscale & 0x3F) << 7) |
                     (weight < 0 ? 0x0040 : 0) | uint16_t(weight & 0x3F);
        put16(h);
    } else {
        put16(uint16_t((negative ? 0x4000 : 0) | (dscale & 0x3FFF)));
        put16(uint16_t(int16_t(weight)));
    }
    for (int16_t d : digits) put16(uint16_t(d));
    return b;
}

uint32_t numeric_key(const std::vector<unsigned char>& b) { return nplus1_key_numeric(b.data(), b.size()); }

TEST(Nplus1ValueHash, EqualIntegersOfEveryTypeHashEqual) {
    // int2, int4, int8 and oid all reach nplus1_key_int as the same int64.
    const int16_t i2 = 1234;
    const int32_t i4 = 1234;
    const int64_t i8 = 1234;
    const uint32_t oid = 1234;
    EXPECT_EQ(nplus1_key_int(i2), nplus1_key_int(i4));
    EXPECT_EQ(nplus1_key_int(i4), nplus1_key_int(i8));
    EXPECT_EQ(nplus1_key_int(int64_t(oid)), nplus1_key_int(i8));
    // Integral numerics, in either storage form and with any display scale.
    EXPECT_EQ(numeric_key(numeric_bytes(false, 0, 0, {1234})), nplus1_key_int(1234));
    EXPECT_EQ(numeric_key(numeric_bytes(false, 0, 2, {1234}, true)), nplus1_key_int(1234));  // 1234.00
    EXPECT_EQ(numeric_key(numeric_bytes(false, 1, 0, {12, 3456})), nplus1_key_int(123456));
    EXPECT_EQ(numeric_key(numeric_bytes(false, 1, 0, {5})), nplus1_key_int(50000));  // trailing zero digit stripped
    EXPECT_EQ(numeric_key(numeric_bytes(true, 0, 0, {7})), nplus1_key_int(-7));
    EXPECT_EQ(numeric_key(numeric_bytes(false, 0, 0, {})), nplus1_key_int(0));
    EXPECT_EQ(numeric_key(numeric_bytes(false, 4, 0, {922, 3372, 368, 5477, 5807})), nplus1_key_int(INT64_MAX));
    EXPECT_EQ(numeric_key(numeric_bytes(true, 4, 0, {922, 3372, 368, 5477, 5808})), nplus1_key_int(INT64_MIN));
    int64_t v = 0;
    ASSERT_TRUE(nplus1_numeric_int64(numeric_bytes(false, 1, 0, {12, 3456}).data(), 6, &v));
    EXPECT_EQ(v, 123456);
}

TEST(Nplus1ValueHash, DifferentValuesAndKindsDiffer) {
    EXPECT_NE(nplus1_key_int(1), nplus1_key_int(2));
    EXPECT_NE(nplus1_key_int(-1), nplus1_key_int(1));
    EXPECT_NE(nplus1_key_text("12", 2), nplus1_key_int(12));  // the text of a number is not the number
    EXPECT_EQ(nplus1_key_text("abc", 3), nplus1_key_text("abcdef", 3));
    EXPECT_NE(nplus1_key_text("abc", 3), nplus1_key_text("abd", 3));
    EXPECT_NE(nplus1_key_text("", 0), nplus1_key_text("a", 1));
    const unsigned char a[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    unsigned char b[16];
    std::memcpy(b, a, 16);
    EXPECT_EQ(nplus1_key_uuid(a), nplus1_key_uuid(b));
    b[15] = 17;
    EXPECT_NE(nplus1_key_uuid(a), nplus1_key_uuid(b));
    EXPECT_NE(nplus1_key_uuid(a), nplus1_key_text(reinterpret_cast<const char*>(a), 16));
    // Fractions: equal values hash equal whatever their display scale, and
    // not like the integer they round to.
    const uint32_t one_and_half = numeric_key(numeric_bytes(false, 0, 1, {1, 5000}));
    EXPECT_EQ(one_and_half, numeric_key(numeric_bytes(false, 0, 2, {1, 5000}, true)));  // 1.50
    EXPECT_NE(one_and_half, nplus1_key_int(1));
    EXPECT_NE(one_and_half, nplus1_key_int(2));
    EXPECT_NE(one_and_half, numeric_key(numeric_bytes(true, 0, 1, {1, 5000})));
    int64_t v;
    EXPECT_FALSE(nplus1_numeric_int64(numeric_bytes(false, 0, 1, {1, 5000}).data(), 6, &v));
    // Beyond int64: still a value, not an integer key.
    EXPECT_FALSE(nplus1_numeric_int64(numeric_bytes(false, 5, 0, {1}).data(), 4, &v));
    EXPECT_NE(numeric_key(numeric_bytes(false, 5, 0, {1})), 0u);
}

TEST(Nplus1ValueHash, NeverZeroAndNoKeyForSpecialOrMalformedNumerics) {
    std::set<uint32_t> seen;
    for (int64_t i = -5000; i < 5000; i++) {
        uint32_t k = nplus1_key_int(i);
        EXPECT_NE(k, 0u);
        seen.insert(k);
    }
    EXPECT_EQ(seen.size(), 10000u);  // no collision among these
    const unsigned char nan[2] = {0x00, 0xC0};  // 0xC000: NaN
    EXPECT_EQ(nplus1_key_numeric(nan, 2), 0u);
    EXPECT_EQ(nplus1_key_numeric(nan, 1), 0u);
    std::vector<unsigned char> odd = numeric_bytes(false, 0, 0, {1});
    odd.push_back(0);
    EXPECT_EQ(nplus1_key_numeric(odd.data(), odd.size()), 0u);
    std::vector<unsigned char> bad = numeric_bytes(false, 0, 0, {10000});  // not a base-10000 digit
    EXPECT_EQ(nplus1_key_numeric(bad.data(), bad.size()), 0u);
}

struct Area {
    std::vector<uint64_t> mem;
    Nplus1ProvArea area;
    Area(uint32_t rings, uint32_t records, uint32_t values)
        : mem(Nplus1ProvArea::required_bytes(rings, records, values) / 8 + 1),
          area(Nplus1ProvArea::create(mem.data(), rings, records, values)) {}
};

uint64_t publish(Nplus1ProvWriter& w, uint64_t event, const std::vector<uint32_t>& values, uint32_t cap = 64) {
    w.open(cap);
    for (uint32_t v : values) w.put(v);
    return w.publish(event);
}

TEST(Nplus1ProvArea, BoundedMemoryRoundedToPowersOfTwo) {
    Area a(3, 10, 100);
    EXPECT_EQ(a.area.rings(), 3u);
    EXPECT_EQ(a.area.records_per_ring(), 16u);
    EXPECT_EQ(a.area.values_per_ring(), 128u);
    // header line, then per ring: a head line, 16 records of 32 bytes, 128 values of 4 bytes
    EXPECT_EQ(Nplus1ProvArea::required_bytes(3, 10, 100), size_t(64 + 64 + 3 * (64 + 16 * 32 + 128 * 4)));
    EXPECT_EQ(Nplus1ProvArea::required_bytes(1, 1, 1), size_t(64 + 64 + 64 + 4 * 32 + 64 * 4));
    // A misaligned block is used from its first cache line on.
    std::vector<char> mem(Nplus1ProvArea::required_bytes(2, 4, 64) + 8);
    Nplus1ProvArea m = Nplus1ProvArea::create(mem.data() + 8, 2, 4, 64);
    Nplus1ProvWriter w1 = m.writer(1);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(w1.head) % 64, 0u);
    EXPECT_LE(reinterpret_cast<char*>(w1.values + 64), mem.data() + mem.size());
    EXPECT_FALSE(m.writer(2).valid());
}

TEST(Nplus1ProvArea, PublishReadAndCapPerExecution) {
    Area a(2, 8, 256);
    Nplus1ProvWriter w = a.area.writer(1);
    ASSERT_TRUE(w.valid());
    EXPECT_EQ(publish(w, 40, {11, 12, 13}), 0u);
    // cap: at most a quarter of the arena per execution, the rest dropped
    w.open(1000);
    for (uint32_t v = 0; v < 100; v++) w.put(v + 1);
    EXPECT_TRUE(w.full());
    EXPECT_EQ(w.count(), 64u);
    EXPECT_EQ(w.publish(41), 1u);
    uint32_t out[128];
    ASSERT_EQ(a.area.read(1, 0, 40, out, 128), 3);
    EXPECT_EQ(out[0], 11u);
    EXPECT_EQ(out[2], 13u);
    ASSERT_EQ(a.area.read(1, 1, 41, out, 128), 64);
    EXPECT_EQ(out[63], 64u);
    EXPECT_EQ(a.area.read(1, 1, 41, out, 10), 10);  // the caller's room
    EXPECT_EQ(a.area.read(1, 0, 39, out, 128), -1);  // not that event's record
    EXPECT_EQ(a.area.read(1, 2, 42, out, 128), -1);  // not written yet
    EXPECT_EQ(a.area.read(0, 0, 40, out, 128), -1);  // another ring
    EXPECT_EQ(a.area.read(2, 0, 40, out, 128), -1);  // no such ring
    EXPECT_EQ(a.area.record_head(1), 2u);
    // An abandoned execution publishes nothing and leaves its room to the next.
    w.open(8);
    w.put(99);
    w.abandon();
    EXPECT_EQ(publish(w, 43, {7}), 2u);
    ASSERT_EQ(a.area.read(1, 2, 43, out, 128), 1);
    EXPECT_EQ(out[0], 7u);
    EXPECT_EQ(w.values_written(), 3u + 64u + 1u);
}

// Eviction: the oldest records go first (a record slot is reused), and a
// record whose values were overwritten by later ones reads as gone.
TEST(Nplus1ProvArea, OldestRecordsAndValuesAreOverwritten) {
    uint32_t out[64];
    {
        Area a(1, 4, 64);
        Nplus1ProvWriter w = a.area.writer(0);
        for (uint64_t e = 0; e < 6; e++) publish(w, 100 + e, {uint32_t(e + 1)});
        EXPECT_EQ(a.area.read(0, 1, 101, out, 64), -1);  // record slot reused
        EXPECT_EQ(a.area.read(0, 2, 102, out, 64), -1);  // the next to be reused
        ASSERT_EQ(a.area.read(0, 3, 103, out, 64), 1);
        EXPECT_EQ(out[0], 4u);
    }
    Area a(1, 16, 64);
    Nplus1ProvWriter w = a.area.writer(0);
    for (uint64_t e = 0; e < 6; e++) publish(w, 100 + e, {uint32_t(e + 1)});   // positions 0..5
    for (uint64_t e = 6; e < 9; e++) publish(w, 100 + e, std::vector<uint32_t>(16, uint32_t(e)));  // 6..53
    ASSERT_EQ(a.area.read(0, 5, 105, out, 64), 1);  // position 5: not come round to yet
    w.open(16);  // positions 54..69: 69 is position 5 again, from now on being written
    EXPECT_EQ(a.area.read(0, 5, 105, out, 64), -1);
    w.abandon();
    ASSERT_EQ(a.area.read(0, 8, 108, out, 64), 16);
    EXPECT_EQ(out[15], 8u);
    // Record numbers kept as their low 32 bits are found again.
    EXPECT_EQ(a.area.record_number(0, 8), 8u);
    EXPECT_EQ(a.area.record_number(0, 7), 7u);
}

// A reader running while the writer goes round many times never returns
// values of another execution: every value read belongs to the record read.
TEST(Nplus1ProvArea, ConcurrentReaderSeesWholeRecordsOnly) {
    Area a(1, 8, 256);
    Nplus1ProvWriter w = a.area.writer(0);
    std::atomic<bool> done{false};
    std::thread writer([&] {
        Nplus1ProvWriter wr = w;
        for (uint64_t e = 1; e <= 100000; e++) {
            wr.open(40);
            for (uint32_t i = 0; i < 1 + e % 40; i++) wr.put(uint32_t(e));
            wr.publish(e);
        }
        done = true;
    });
    uint64_t accepted = 0;
    uint32_t out[64];
    auto read_all = [&] {
        uint64_t h = a.area.record_head(0);
        for (uint64_t r = h > 8 ? h - 8 : 0; r < h; r++) {
            int n = a.area.read(0, r, r + 1, out, 64);
            if (n < 0) continue;
            accepted++;
            ASSERT_EQ(uint64_t(n), 1 + (r + 1) % 40);
            for (int i = 0; i < n; i++) ASSERT_EQ(out[i], uint32_t(r + 1));
        }
    };
    while (!done.load()) read_all();
    writer.join();
    accepted = 0;
    read_all();
    EXPECT_GE(accepted, 1u);
}

}  // namespace
