// stats/table.h -- the fixed-capacity statement store, laid out in one memory
// block (PostgreSQL shared memory in the extension, a plain buffer in tests).
//
// Layout: header | open-addressing index (int32 slot numbers, linear probing,
// at most half full) | free-slot stack | entries (fixed stride, each with its
// normalized text inline, at most text_cap bytes).
//
// Locking is the caller's: lookups under a shared lock; insert, remove and
// reset under an exclusive lock; an entry's counters under its own spinlock
// (the caller's lock word in StatEntry::lock_word, taken through the
// functions given to set_entry_lock). insert and remove change an entry's
// key, usage and counters only while holding that entry's lock, so a process
// that remembers the slot of a key may update the entry with no table lock
// at all: it locks the entry and checks holds() first (a removed or reused
// slot fails the check; the caller then looks the key up under the shared
// lock).
//
// Layout for the per-statement path: entries start on 64-byte boundaries
// (when the block does), and the fields an execution writes -- the lock
// word, usage and StatCounters' leading fields -- are in the entry's first
// four cache lines, plus one line of the histogram.
//
// Eviction (CLOCK): every recorded execution raises an entry's usage by one up
// to kMaxUsage; when a new fingerprint arrives and the store is full, a hand
// sweeps the entries, lowering usage by one, and evicts the first entry found
// at zero. A statement seen once is evicted after one sweep, a busy one
// survives kMaxUsage sweeps. Cost: amortised O(1) per insert, at worst
// capacity * (kMaxUsage + 1) steps -- no sorting, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/stats/counters.h"

namespace pothos::core {

struct StatEntry {
    StatKey key;
    uint64_t lock_word;  // the extension's spinlock; core never touches it
    uint32_t hash;       // hash_key(key)
    uint32_t usage;      // CLOCK reference count
    uint32_t text_len;   // bytes of text() in use
    int32_t encoding;    // the extension's: encoding of text() (of its database)
    StatCounters counters;

    char* text() { return reinterpret_cast<char*>(this + 1); }
    const char* text() const { return reinterpret_cast<const char*>(this + 1); }
};

struct StatTableHeader {
    uint32_t magic;
    uint32_t capacity;     // entries
    uint32_t index_size;   // power of two >= 2 * capacity
    uint32_t text_cap;     // bytes of text per entry
    uint32_t stride;       // bytes per entry, including its text
    uint32_t count;        // entries in use
    uint32_t clock_hand;
    uint32_t free_top;     // number of slots on the free stack
    uint64_t dealloc;      // entries evicted to make room
    uint64_t generation;   // bumped whenever an entry is removed
    int64_t stats_reset;   // TimestampTz of the last full reset
};

class StatTable {
public:
    static constexpr uint32_t kMaxUsage = 5;
    // Bytes at the start of an entry that hold every field a recorded
    // execution writes (the lock word, usage and StatCounters' leading
    // fields; the histogram line aside): four cache lines.
    static constexpr size_t kExecBytes = 256;
    using EntryLockFn = void (*)(StatEntry*);

    static size_t required_bytes(uint32_t capacity, uint32_t text_cap) noexcept;
    // Formats mem (required_bytes long) as an empty table.
    static StatTable create(void* mem, uint32_t capacity, uint32_t text_cap, int64_t now) noexcept;
    // Uses a block formatted by create() (by this or another process).
    static StatTable attach(void* mem) noexcept;

    StatTable() = default;
    bool valid() const noexcept { return h_ != nullptr; }
    // The entry lock insert and remove take (none by default: a table used
    // by one thread). Per handle: every process that attaches sets its own.
    void set_entry_lock(EntryLockFn lock, EntryLockFn unlock) noexcept {
        lock_ = lock;
        unlock_ = unlock;
    }
    StatTableHeader& header() noexcept { return *h_; }
    const StatTableHeader& header() const noexcept { return *h_; }

    // Slot number of key, or -1.
    int32_t find(const StatKey& key) const noexcept;
    // Adds key with its text (clipped to text_cap; the caller clips at a
    // character boundary first) in `encoding`, and zero counters; evicts when
    // full. Returns the slot. If key is already present returns its slot
    // unchanged.
    int32_t insert(const StatKey& key, const char* text, size_t len, int32_t encoding, int64_t now) noexcept;
    // Removes the entry in slot.
    void remove(int32_t slot) noexcept;
    // Removes every entry matching the filter (0 = any); returns how many.
    // A full reset (all zero) also sets stats_reset.
    uint32_t reset(uint32_t userid, uint32_t dbid, uint64_t queryid, int64_t now) noexcept;

    StatEntry* entry(int32_t slot) noexcept {
        return reinterpret_cast<StatEntry*>(entries_ + static_cast<size_t>(slot) * h_->stride);
    }
    const StatEntry* entry(int32_t slot) const noexcept {
        return reinterpret_cast<const StatEntry*>(entries_ + static_cast<size_t>(slot) * h_->stride);
    }
    bool in_use(int32_t slot) const noexcept { return __atomic_load_n(&entry(slot)->usage, __ATOMIC_RELAXED) != kFreeMark; }
    // Whether e is in use for key; with e's lock held, stays true until it
    // is released.
    static bool holds(const StatEntry* e, const StatKey& key) noexcept {
        return __atomic_load_n(&e->usage, __ATOMIC_RELAXED) != kFreeMark && e->key == key;
    }
    uint32_t capacity() const noexcept { return h_->capacity; }

    // Called with the entry's spinlock held, once per recorded execution.
    // The clock hand lowers usage under the table's exclusive lock but not
    // the entry's, so both sides load and store it atomically (relaxed): a
    // lost step of a reference count only makes eviction less exact.
    static void touch(StatEntry* e) noexcept {
        uint32_t u = __atomic_load_n(&e->usage, __ATOMIC_RELAXED);
        if (u < kMaxUsage) __atomic_store_n(&e->usage, u + 1, __ATOMIC_RELAXED);
    }

private:
    static constexpr uint32_t kMagic = 0x506f5354;  // "PoST"
    static constexpr uint32_t kFreeMark = 0xffffffffu;

    int32_t evict_one() noexcept;
    void lock(StatEntry* e) const noexcept {
        if (lock_) lock_(e);
    }
    void unlock(StatEntry* e) const noexcept {
        if (unlock_) unlock_(e);
    }
    void index_insert(int32_t slot, uint32_t hash) noexcept;
    void index_remove(int32_t slot) noexcept;

    StatTableHeader* h_ = nullptr;
    int32_t* index_ = nullptr;
    int32_t* free_ = nullptr;
    char* entries_ = nullptr;
    EntryLockFn lock_ = nullptr;
    EntryLockFn unlock_ = nullptr;
};

}  // namespace pothos::core
