// nplus1/findings.h -- the fixed-capacity table of N+1 findings, laid out in
// one caller-provided memory block (shared memory in the extension).
//
// One entry per (kind, user, database, parent fingerprint, children): an
// n_plus_one entry lists up to kNplus1MaxChildren child fingerprints, those run
// per row of the same parent executions (A B A B ...), each with its own
// figures; every other kind has one child, the repeated statement. An
// occurrence's child joins the entry of its parent fingerprint that already
// lists it, else the entry that lists another child of the same occurrence
// (while it has room), else a new entry. The scalar figures of an entry
// (queryid, total_repeats, ...) are those of its first child. Each occurrence reported by the detector is anchored on one
// event of the window. The same unit is analysed more than once (when its
// backend's unit ends, idle_gap after a trigger while it goes on, by another
// backend of a pooled tag, and by every read of the view, which sweeps the
// whole window), so every occurrence counted is kept in a ledger shared by
// all entries, keyed by (finding key, anchor): an occurrence seen again adds
// only the growth of its repeats and time. The ledger must remember every
// occurrence whose anchor is still in the window (an older one can no longer
// be analysed): it is set-associative (kLedgerWays per set), a new occurrence
// replaces the oldest anchor of its set (by the anchor's start), and it is sized from the window
// (an occurrence needs at least min_repeats >= 2 events of the window).
// A per-entry memory of the last few anchors is not enough: a nested chain
// (parent -> children -> grandchildren) gives the grandchild finding one
// occurrence per child execution, dozens per request, and a re-analysed
// request then counted again the occurrences that had been forgotten.
// Eviction: when full, a new finding replaces the entry seen least recently
// (unconfirmed entries first), counted in evictions. O(capacity) per insert
// of a new key, which happens only on detection, never per statement.
// Locking is the caller's (an exclusive lock to record or reset, shared to read).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/nplus1/detector.h"

namespace pothos::core {

// The figures of one child of an entry.
struct Nplus1ChildStats {
    uint64_t queryid;
    int64_t occurrences;      // occurrences it was counted in
    int64_t total_repeats;
    int64_t max_repeats;
    int64_t distinct_params;  // largest distinct count of one occurrence
    double time_ms;
    uint16_t flags;           // Nplus1Flag bits (latest)
    uint16_t pad[3];
};

struct Nplus1FindingEntry {
    uint8_t in_use;
    uint8_t kind;  // Nplus1Kind
    uint16_t flags;  // Nplus1Flag bits of the repeated statement (latest)
    uint32_t userid;
    uint32_t dbid;
    uint8_t nchildren;  // children listed in child[] (>= 1)
    uint8_t pad[3];
    uint64_t parent_queryid;
    uint64_t queryid;
    int64_t occurrences;
    int64_t total_repeats;
    int64_t max_repeats;
    int64_t distinct_params;  // largest distinct count of one occurrence
    int64_t max_parent_rows;
    int64_t total_parent_rows;  // rows of the parent executions counted (n_plus_one)
    double time_ms;           // time spent in the repeats
    int64_t first_seen;       // caller's clock (TimestampTz in the extension)
    int64_t last_seen;
    // child[0] is the first child (the scalar figures above repeat it).
    Nplus1ChildStats child[kNplus1MaxChildren];
};

// The round trips an entry would save if batched: every child's lookups but
// one per occurrence become one batched query; none for a server-side loop
// (the repeats run inside one call).
inline int64_t nplus1_round_trips_saved(const Nplus1FindingEntry& e) noexcept {
    if (Nplus1Kind(e.kind) == Nplus1Kind::ServerSideLoop) return 0;
    const int n = e.nchildren >= 1 ? e.nchildren : 1;
    int64_t saved = 0;
    for (int c = 0; c < n; c++) saved += e.child[c].total_repeats - e.child[c].occurrences;
    return saved;
}

// One occurrence already counted: its finding key, anchor and what was added.
struct Nplus1LedgerSlot {
    uint64_t anchor;     // anchor + 1; 0: empty
    uint64_t key;        // hash of (kind, user, database, parent, child): one slot per child
    int64_t anchor_ts;   // the anchor's start: a new occurrence replaces the oldest of its set
    int64_t repeats;
    double time_ms;
};

struct Nplus1FindingsHeader {
    uint32_t capacity;
    uint32_t count;
    uint64_t evictions;
    uint64_t recorded;     // occurrences recorded since the last reset
    int64_t stats_reset;
    int64_t min_anchor_ts; // occurrences anchored on events that started before this (the reset) are ignored
    uint32_t ledger_sets;  // the ledger: ledger_sets * kLedgerWays slots
    uint32_t pad;
};

class Nplus1Findings {
public:
    static constexpr uint32_t kLedgerWays = 4;
    // Ledger slots for a window of window_events statements.
    static uint32_t ledger_slots_for(uint32_t window_events) noexcept;
    // ledger_slots: occurrences remembered (rounded up to whole sets).
    static size_t required_bytes(uint32_t capacity, uint32_t ledger_slots = 1024) noexcept;
    static Nplus1Findings create(void* mem, uint32_t capacity, int64_t now, uint32_t ledger_slots = 1024) noexcept;
    static Nplus1Findings attach(void* mem) noexcept;
    Nplus1Findings() = default;

    // Adds one occurrence (or the growth of one already counted).
    void record(const Nplus1Finding& f, int64_t now) noexcept;
    // Removes every entry; occurrences anchored on events that started before
    // min_anchor_ts (already in the window at reset time) are ignored from now on.
    void reset(int64_t now, int64_t min_anchor_ts = 0) noexcept;

    uint32_t capacity() const noexcept { return header_->capacity; }
    const Nplus1FindingsHeader& header() const noexcept { return *header_; }
    const Nplus1FindingEntry& entry(uint32_t i) const noexcept { return entries_[i]; }

private:
    Nplus1FindingEntry* find_entry(const Nplus1Finding& f, uint64_t child) noexcept;
    // A cleared entry for f's key (a free one, else the victim of eviction,
    // never one of keep[0..nkeep)); nullptr if there is none.
    Nplus1FindingEntry* new_entry(const Nplus1Finding& f, int64_t now, Nplus1FindingEntry* const* keep, int nkeep) noexcept;

    Nplus1FindingsHeader* header_ = nullptr;
    Nplus1FindingEntry* entries_ = nullptr;
    Nplus1LedgerSlot* ledger_ = nullptr;
};

}  // namespace pothos::core
