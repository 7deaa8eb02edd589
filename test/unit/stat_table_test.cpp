#include "core/stats/table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <map>
#include <mutex>
#include <thread>
#include <random>
#include <string>
#include <vector>

using pothos::core::StatEntry;
using pothos::core::StatKey;
using pothos::core::StatTable;

namespace {

StatKey key(uint64_t q, uint32_t user = 10, uint32_t db = 5, bool top = true) {
    return StatKey{user, db, q, top ? 1u : 0u, 0};
}

struct Table {
    std::vector<uint64_t> mem;
    StatTable t;
    Table(uint32_t cap, uint32_t text_cap) : mem(StatTable::required_bytes(cap, text_cap) / 8 + 1) {
        t = StatTable::create(mem.data(), cap, text_cap, 100);
    }
    int32_t add(uint64_t q, const std::string& text = "q") {
        return t.insert(key(q), text.data(), text.size(), 6, 200);
    }
    void use(uint64_t q, int times) {
        int32_t s = t.find(key(q));
        ASSERT_GE(s, 0);
        for (int i = 0; i < times; i++) StatTable::touch(t.entry(s));
    }
};

}  // namespace

TEST(StatTable, InsertFindAndText) {
    Table tb(8, 16);
    int32_t s = tb.add(1, "SELECT $1");
    ASSERT_GE(s, 0);
    EXPECT_EQ(tb.t.find(key(1)), s);
    EXPECT_EQ(tb.t.find(key(2)), -1);
    EXPECT_EQ(tb.t.find(key(1, 11)), -1);        // other user
    EXPECT_EQ(tb.t.find(key(1, 10, 6)), -1);     // other database
    EXPECT_EQ(tb.t.find(key(1, 10, 5, false)), -1);  // nested
    const StatEntry* e = tb.t.entry(s);
    EXPECT_EQ(std::string(e->text(), e->text_len), "SELECT $1");
    EXPECT_EQ(e->encoding, 6);  // as given: the extension's encoding number
    EXPECT_EQ(e->counters.calls, 0);
    EXPECT_EQ(e->counters.first_seen, 200);
    EXPECT_EQ(tb.add(1, "other"), s) << "a present key is not inserted twice";
    EXPECT_EQ(tb.t.header().count, 1u);
}

TEST(StatTable, TextClippedToCapacity) {
    Table tb(4, 8);
    int32_t s = tb.add(1, "SELECT 1234567890");
    EXPECT_EQ(tb.t.entry(s)->text_len, 8u);
    EXPECT_EQ(std::string(tb.t.entry(s)->text(), 8), "SELECT 1");
}

TEST(StatTable, AttachSeesTheSameTable) {
    Table tb(4, 8);
    tb.add(7);
    StatTable other = StatTable::attach(tb.mem.data());
    ASSERT_TRUE(other.valid());
    EXPECT_GE(other.find(key(7)), 0);
    uint64_t junk[64] = {0};
    EXPECT_FALSE(StatTable::attach(junk).valid());
}

TEST(StatTable, FullTableEvictsColdEntryNotHotOnes) {
    Table tb(4, 8);
    for (uint64_t q = 1; q <= 4; q++) tb.add(q);
    tb.use(1, 5);
    tb.use(2, 5);
    tb.use(3, 1);
    tb.use(4, 5);
    tb.add(5);  // must evict 3, the only cold one
    EXPECT_EQ(tb.t.header().count, 4u);
    EXPECT_EQ(tb.t.header().dealloc, 1u);
    EXPECT_EQ(tb.t.find(key(3)), -1);
    for (uint64_t q : {1, 2, 4, 5}) EXPECT_GE(tb.t.find(key(q)), 0) << q;
}

TEST(StatTable, ChurnEvictsChurnAndKeepsHotStatements) {
    const uint32_t cap = 64;
    Table tb(cap, 8);
    for (uint64_t q = 1; q <= 8; q++) tb.add(q);  // 8 hot statements
    // 10x more one-off statements than capacity, the hot ones keep running.
    for (uint64_t q = 1000; q < 1000 + 10 * cap; q++) {
        tb.add(q);
        tb.use(q, 1);
        for (uint64_t h = 1; h <= 8; h++) tb.use(h, 1);
    }
    for (uint64_t h = 1; h <= 8; h++) EXPECT_GE(tb.t.find(key(h)), 0) << "hot statement " << h << " evicted";
    EXPECT_EQ(tb.t.header().count, cap);
    EXPECT_EQ(tb.t.header().dealloc, 10 * cap + 8 - cap);
}

TEST(StatTable, EvictionWhenAllAreHotStillTerminates) {
    Table tb(16, 8);
    for (uint64_t q = 1; q <= 16; q++) {
        tb.add(q);
        tb.use(q, 100);  // capped at kMaxUsage
    }
    tb.add(99);
    EXPECT_GE(tb.t.find(key(99)), 0);
    EXPECT_EQ(tb.t.header().count, 16u);
}

TEST(StatTable, RemoveKeepsProbeChainsIntact) {
    // Random inserts and removes against a std::map model.
    const uint32_t cap = 200;
    Table tb(cap, 8);
    std::map<uint64_t, int32_t> model;
    std::mt19937 rng(7);
    for (int step = 0; step < 20000; step++) {
        uint64_t q = rng() % 400;
        if (rng() % 3 == 0) {
            auto it = model.find(q);
            if (it != model.end()) {
                tb.t.remove(it->second);
                model.erase(it);
            }
        } else if (model.size() < cap && !model.count(q)) {
            model[q] = tb.add(q);
        }
        if (step % 500 == 0) {
            for (uint64_t k = 0; k < 400; k++) {
                auto it = model.find(k);
                ASSERT_EQ(tb.t.find(key(k)), it == model.end() ? -1 : it->second) << "step " << step;
            }
        }
    }
    EXPECT_EQ(tb.t.header().count, model.size());
}

TEST(StatTable, ResetByFilterAndFull) {
    Table tb(16, 8);
    tb.t.insert(key(1, 10, 5), "a", 1, 6, 0);
    tb.t.insert(key(2, 11, 5), "b", 1, 6, 0);
    tb.t.insert(key(3, 10, 6), "c", 1, 6, 0);
    uint64_t gen = tb.t.header().generation;
    EXPECT_EQ(tb.t.reset(10, 0, 0, 500), 2u);
    EXPECT_GT(tb.t.header().generation, gen);
    EXPECT_EQ(tb.t.header().count, 1u);
    EXPECT_GE(tb.t.find(key(2, 11, 5)), 0);
    EXPECT_EQ(tb.t.header().stats_reset, 100) << "a partial reset keeps stats_reset";
    EXPECT_EQ(tb.t.reset(0, 0, 0, 900), 1u);
    EXPECT_EQ(tb.t.header().count, 0u);
    EXPECT_EQ(tb.t.header().stats_reset, 900);
    // Slots are reusable after the reset.
    for (uint64_t q = 1; q <= 16; q++) EXPECT_GE(tb.add(q), 0);
    EXPECT_EQ(tb.t.header().dealloc, 0u);
}

// --- Updating an entry through a remembered slot, without the table lock ---

namespace {

// A test-and-set lock on StatEntry::lock_word, as the extension's spinlock.
void spin_lock(StatEntry* e) {
    while (__atomic_exchange_n(&e->lock_word, 1, __ATOMIC_ACQUIRE) != 0) {
    }
}
void spin_unlock(StatEntry* e) { __atomic_store_n(&e->lock_word, 0, __ATOMIC_RELEASE); }

// Records whether insert and remove change an entry while holding its lock.
thread_local int g_locks_taken = 0;
void counting_lock(StatEntry* e) {
    g_locks_taken++;
    spin_lock(e);
}

}  // namespace

TEST(StatTable, InsertAndRemoveTakeTheEntryLock) {
    Table tb(4, 8);
    tb.t.set_entry_lock(counting_lock, spin_unlock);
    g_locks_taken = 0;
    int32_t s = tb.add(1);
    EXPECT_EQ(g_locks_taken, 1) << "insert writes the new entry under its lock";
    EXPECT_EQ(tb.t.entry(s)->lock_word, 0u) << "and releases it";
    g_locks_taken = 0;
    tb.t.remove(s);
    EXPECT_EQ(g_locks_taken, 1) << "remove marks the entry free under its lock";
}

TEST(StatTable, InsertLeavesAHeldLockAlone) {
    // A backend may hold the lock of a slot it remembers while another
    // removes and reuses that slot: the new entry must not clear the lock
    // word under it (the extension used to initialise it on insert).
    Table tb(4, 8);
    int32_t s = tb.add(1);
    tb.t.remove(s);
    tb.t.entry(s)->lock_word = 1;  // held by someone (no lock functions set)
    EXPECT_EQ(tb.add(2), s);
    EXPECT_EQ(tb.t.entry(s)->lock_word, 1u);
}

TEST(StatTable, RememberedSlotFailsOnceRemovedOrReused) {
    Table tb(4, 8);
    int32_t s = tb.add(7);
    EXPECT_TRUE(StatTable::holds(tb.t.entry(s), key(7)));
    EXPECT_FALSE(StatTable::holds(tb.t.entry(s), key(8)));
    tb.t.reset(0, 0, 7, 300);
    EXPECT_FALSE(StatTable::holds(tb.t.entry(s), key(7))) << "removed: the key is still in the bytes, but free";
    EXPECT_EQ(tb.add(9), s) << "the free slot is reused";
    EXPECT_FALSE(StatTable::holds(tb.t.entry(s), key(7)));
    EXPECT_TRUE(StatTable::holds(tb.t.entry(s), key(9)));
    // Eviction too: a full table evicts the unused entry.
    Table small(2, 8);
    int32_t a = small.add(1);
    small.add(2);
    small.use(2, 3);
    EXPECT_TRUE(StatTable::holds(small.t.entry(a), key(1)));
    EXPECT_EQ(small.add(3), a) << "key 1 (usage 0) is evicted and its slot reused";
    EXPECT_FALSE(StatTable::holds(small.t.entry(a), key(1)));
}

TEST(StatTable, EntriesStartOnCacheLines) {
    alignas(64) static unsigned char mem[1 << 16];
    ASSERT_LE(StatTable::required_bytes(10, 100), sizeof mem);
    StatTable t = StatTable::create(mem, 10, 100, 0);
    for (int32_t s = 0; s < 10; s++) EXPECT_EQ(reinterpret_cast<uintptr_t>(t.entry(s)) % 64, 0u) << s;
    // The fields every execution writes are in the entry's first four lines.
    EXPECT_EQ(StatTable::kExecBytes, 4 * 64u);
    EXPECT_LE(offsetof(StatEntry, counters) + offsetof(pothos::core::StatCounters, io) +
                  sizeof(pothos::core::IoUsage),
              StatTable::kExecBytes);
}

TEST(StatTable, UpdatesThroughRememberedSlotsAreNotLostWhileOthersInsertAndRemove) {
    // Writers update their own keys through remembered slots (entry lock
    // only, as the extension's store_exec); a churner inserts and removes
    // other keys under the table lock all the while, moving the index and
    // recycling free slots next to theirs. Every update must land on its own
    // key's entry, once.
    constexpr int kWriters = 3;
    constexpr int kUpdates = 20000;
    Table tb(64, 8);
    tb.t.set_entry_lock(spin_lock, spin_unlock);
    std::mutex table_lock;
    std::vector<int32_t> slots;
    for (int w = 0; w < kWriters; w++) slots.push_back(tb.t.insert(key(w, 42), "w", 1, 6, 0));  // user 42: not the churner's
    std::atomic<bool> stop{false};
    std::thread churner([&] {
        uint64_t q = 1;
        while (!stop.load()) {
            std::lock_guard<std::mutex> g(table_lock);
            for (int i = 0; i < 40; i++) tb.t.insert(key(q + i), "x", 1, 6, 0);
            tb.t.reset(0, 0, q + 3, 0);
            for (int i = 0; i < 40; i++) {
                int32_t s = tb.t.find(key(q + i));
                if (s >= 0) tb.t.remove(s);
            }
            q += 40;
        }
    });
    std::vector<std::thread> writers;
    std::atomic<int> fallbacks{0};
    for (int w = 0; w < kWriters; w++)
        writers.emplace_back([&, w] {
            StatKey k = key(w, 42);
            pothos::core::IoUsage io{};
            io.shared_blks_hit = 1;
            for (int i = 0; i < kUpdates; i++) {
                StatEntry* e = tb.t.entry(slots[w]);
                spin_lock(e);
                bool held = StatTable::holds(e, k);
                if (held) e->counters.add_exec(1.0, 2, io, false, 0);
                spin_unlock(e);
                if (!held) fallbacks++;
            }
        });
    for (auto& t : writers) t.join();
    stop = true;
    churner.join();
    EXPECT_EQ(fallbacks.load(), 0) << "the writers' keys were never removed";
    for (int w = 0; w < kWriters; w++) {
        int32_t s = tb.t.find(key(w, 42));
        ASSERT_EQ(s, slots[w]);
        const auto& c = tb.t.entry(s)->counters;
        EXPECT_EQ(c.calls, kUpdates);
        EXPECT_EQ(c.rows, 2 * kUpdates);
        EXPECT_EQ(c.io.shared_blks_hit, kUpdates);
    }
    EXPECT_EQ(tb.t.header().count, uint32_t(kWriters));
}
