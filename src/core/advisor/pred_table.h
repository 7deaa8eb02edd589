// advisor/pred_table.h -- the index advisor's bounded store of observed
// column uses, laid out in one memory block (PostgreSQL shared memory in the
// extension, a plain buffer in tests).
//
// One entry per (database, statement fingerprint, relation, column, kind,
// position): a filter predicate evaluated by a scan, a join key, or a column
// of an ORDER BY ... LIMIT. Counters add up over the sampled executions.
//
// Layout: header | bucket heads (int32, power of two) | entries. Chained
// hashing through PredEntry::next; free slots are taken in order, then
// reused by eviction.
//
// Eviction (CLOCK): every update raises an entry's usage by one up to
// kMaxUsage; when a new key arrives and the table is full, a hand sweeps the
// entries lowering usage by one and evicts the first one found at zero.
// Amortised O(1), at worst capacity * (kMaxUsage + 1) steps; no allocation.
// `evictions` in the header counts the entries lost.
//
// Locking is the caller's (exclusive to add or update, shared to read).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pothos::core::advisor {

// What a column was used for. Values are stored in shared memory: append only.
enum class UseKind : uint8_t {
    Eq = 1,       // col = value
    Range = 2,    // col < <= > >= value
    In = 3,       // col IN (...), col = ANY(...)
    Like = 4,     // col LIKE 'prefix%'
    IsNull = 5,   // col IS NULL
    NotNull = 6,  // col IS NOT NULL
    BoolTrue = 7,   // WHERE col (a boolean column)
    BoolFalse = 8,  // WHERE NOT col
    JoinKey = 9,    // col = other relation's column (hash, merge or nested-loop join)
    OrderBy = 10,   // position `pos` of an ORDER BY ... LIMIT
    Output = 11,    // a column the statement reads from the relation (INCLUDE candidates)
    ConstHash = 12, // relid 0: flags is the hash of a text constant that a function of a
                    // column takes (date_trunc's unit), recorded when the statement is first seen
};

const char* use_kind_name(UseKind k) noexcept;

struct PredKey {
    uint32_t dbid;
    uint32_t relid;
    uint64_t queryid;
    int16_t attnum;
    uint8_t kind;   // UseKind
    uint8_t pos;    // OrderBy: position in the sort (0 = first); else 0
    uint32_t flags; // OrderBy: kFlagDesc | kFlagNullsFirst; else 0
};

constexpr uint32_t kFlagDesc = 1;
constexpr uint32_t kFlagNullsFirst = 2;

bool operator==(const PredKey& a, const PredKey& b);

struct PredStats {
    uint64_t samples = 0;        // sampled executions that evaluated it
    double rows_returned = 0;    // rows the node returned (scan filters)
    double rows_filtered = 0;    // rows the filter removed
    uint32_t index_cond = 0;     // 1 if seen as an index condition (already indexed)
    uint32_t pad = 0;
};

struct PredEntry {
    PredKey key;
    PredStats stats;
    int32_t next;    // chain in the bucket; -1 ends it
    uint32_t usage;  // CLOCK; kFree for an unused slot
};

struct PredTableHeader {
    uint32_t magic;
    uint32_t capacity;
    uint32_t nbuckets;
    uint32_t count;       // slots ever used (<= capacity)
    uint32_t hand;
    uint32_t holes;       // free slots below count (left by clear())
    uint64_t evictions;
    uint64_t updates;     // sampled column uses recorded
};

class PredTable {
public:
    static constexpr uint32_t kMaxUsage = 5;
    static constexpr uint32_t kFree = 0xffffffffu;

    static size_t required_bytes(uint32_t capacity) noexcept;
    static PredTable create(void* mem, uint32_t capacity) noexcept;
    static PredTable attach(void* mem) noexcept;

    PredTable() = default;
    bool valid() const noexcept { return h_ != nullptr; }
    const PredTableHeader& header() const noexcept { return *h_; }

    // The entry for key, or nullptr.
    PredEntry* find(const PredKey& key) noexcept;
    // The entry for key, created with zero stats (evicting when full); its
    // usage is raised.
    PredEntry* upsert(const PredKey& key) noexcept;
    // Adds one observation.
    void record(const PredKey& key, double returned, double filtered, bool index_cond) noexcept;
    // Removes every entry (of dbid, or all when 0).
    void clear(uint32_t dbid) noexcept;

    uint32_t capacity() const noexcept { return h_->capacity; }
    const PredEntry* slot(uint32_t i) const noexcept { return &entries_[i]; }
    bool in_use(uint32_t i) const noexcept { return entries_[i].usage != kFree; }

private:
    static constexpr uint32_t kMagic = 0x41645054;  // "AdPT"
    uint32_t bucket_of(const PredKey& k) const noexcept;
    void unlink(uint32_t slot) noexcept;
    uint32_t take_slot() noexcept;

    PredTableHeader* h_ = nullptr;
    int32_t* buckets_ = nullptr;
    PredEntry* entries_ = nullptr;
};

}  // namespace pothos::core::advisor
