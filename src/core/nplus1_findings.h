// nplus1_findings.h -- the fixed-capacity table of N+1 findings, laid out in
// one caller-provided memory block (shared memory in the extension).
//
// One entry per (kind, user, database, parent fingerprint, child
// fingerprint). Each occurrence reported by the detector is anchored on one
// event; the entry remembers its last kAnchors anchors, so the same unit
// analysed twice (by two backends, or again after it grew) is counted once:
// only the growth of its repeats is added.
// Eviction: when full, a new finding replaces the entry seen least recently
// (unconfirmed entries first), counted in evictions. O(capacity) per insert
// of a new key, which happens only on detection, never per statement.
// Locking is the caller's (an exclusive lock to record or reset, shared to read).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/nplus1_detector.h"

namespace pothos::core {

struct NpFindingEntry {
    uint8_t in_use;
    uint8_t kind;  // NpKind
    uint16_t flags;  // NpFlag bits of the repeated statement (latest)
    uint32_t userid;
    uint32_t dbid;
    int32_t max_siblings;
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
    static constexpr int kAnchors = 8;
    uint64_t anchors[kAnchors];
    int64_t anchor_repeats[kAnchors];
    double anchor_time[kAnchors];
    uint32_t anchor_next;
    uint32_t pad2;
};

struct NpFindingsHeader {
    uint32_t capacity;
    uint32_t count;
    uint64_t evictions;
    uint64_t recorded;     // occurrences recorded since the last reset
    int64_t stats_reset;
    uint64_t min_anchor;   // occurrences anchored before this (pre-reset events) are ignored
};

class NpFindings {
public:
    static size_t required_bytes(uint32_t capacity);
    static NpFindings create(void* mem, uint32_t capacity, int64_t now) noexcept;
    static NpFindings attach(void* mem) noexcept;
    NpFindings() = default;

    // Adds one occurrence (or the growth of one already counted).
    void record(const NpFinding& f, int64_t now) noexcept;
    // Removes every entry; occurrences anchored on events before min_anchor
    // (already in the window at reset time) are ignored from now on.
    void reset(int64_t now, uint64_t min_anchor = 0) noexcept;

    uint32_t capacity() const noexcept { return header_->capacity; }
    const NpFindingsHeader& header() const noexcept { return *header_; }
    const NpFindingEntry& entry(uint32_t i) const noexcept { return entries_[i]; }

private:
    NpFindingsHeader* header_ = nullptr;
    NpFindingEntry* entries_ = nullptr;
};

}  // namespace pothos::core
