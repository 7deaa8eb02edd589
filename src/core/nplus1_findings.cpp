// nplus1_findings.cpp -- see nplus1_findings.h.
#include "core/nplus1_findings.h"

#include <algorithm>
#include <cstring>

namespace pothos::core {

namespace {
constexpr size_t align8(size_t n) { return (n + 7) & ~size_t(7); }

uint32_t ledger_sets(uint32_t slots) {
    uint32_t sets = (slots + NpFindings::kLedgerWays - 1) / NpFindings::kLedgerWays;
    return sets ? sets : 1;
}

uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 31);
}

uint64_t key_hash(const NpFinding& f) {
    uint64_t h = mix(0x6c6564676572ull, uint64_t(f.kind));  // "ledger"
    h = mix(h, (uint64_t(f.userid) << 32) | f.dbid);
    h = mix(h, f.parent_queryid);
    return mix(h, f.queryid);
}

bool same_key(const NpFindingEntry& e, const NpFinding& f) {
    return e.in_use && e.kind == uint8_t(f.kind) && e.userid == f.userid && e.dbid == f.dbid &&
           e.parent_queryid == f.parent_queryid && e.queryid == f.queryid;
}
}  // namespace

uint32_t NpFindings::ledger_slots_for(uint32_t window_events) noexcept {
    // At most window_events / 2 occurrences of one kind have their events in
    // the window; half again for the other kinds and for set collisions.
    uint64_t slots = uint64_t(window_events) * 3 / 4;
    return uint32_t(std::max<uint64_t>(slots, 64));
}

size_t NpFindings::required_bytes(uint32_t capacity, uint32_t ledger_slots) {
    return align8(sizeof(NpFindingsHeader)) + sizeof(NpFindingEntry) * size_t(capacity) +
           sizeof(NpLedgerSlot) * size_t(ledger_sets(ledger_slots)) * kLedgerWays;
}

NpFindings NpFindings::create(void* mem, uint32_t capacity, int64_t now, uint32_t ledger_slots) noexcept {
    std::memset(mem, 0, required_bytes(capacity, ledger_slots));
    auto* h = static_cast<NpFindingsHeader*>(mem);
    h->capacity = capacity;
    h->stats_reset = now;
    h->ledger_sets = ledger_sets(ledger_slots);
    return attach(mem);
}

NpFindings NpFindings::attach(void* mem) noexcept {
    NpFindings t;
    t.header_ = static_cast<NpFindingsHeader*>(mem);
    t.entries_ = reinterpret_cast<NpFindingEntry*>(static_cast<char*>(mem) + align8(sizeof(NpFindingsHeader)));
    t.ledger_ = reinterpret_cast<NpLedgerSlot*>(t.entries_ + t.header_->capacity);
    return t;
}

void NpFindings::record(const NpFinding& f, int64_t now) noexcept {
    const uint32_t cap = header_->capacity;
    if (cap == 0 || f.anchor < header_->min_anchor) return;
    // The ledger: has this occurrence been counted already?
    const uint64_t key = key_hash(f);
    const uint64_t anchor = f.anchor + 1;  // 0 means empty
    NpLedgerSlot* set = ledger_ + size_t(mix(key, anchor) % header_->ledger_sets) * kLedgerWays;
    NpLedgerSlot* seen = nullptr;
    NpLedgerSlot* oldest = &set[0];
    for (uint32_t w = 0; w < kLedgerWays; w++) {
        if (set[w].anchor == anchor && set[w].key == key) {
            seen = &set[w];
            break;
        }
        if (set[w].anchor < oldest->anchor) oldest = &set[w];
    }

    NpFindingEntry* e = nullptr;
    NpFindingEntry* free_slot = nullptr;
    NpFindingEntry* victim = nullptr;
    for (uint32_t i = 0; i < cap; i++) {
        NpFindingEntry* x = &entries_[i];
        if (same_key(*x, f)) {
            e = x;
            break;
        }
        if (!x->in_use) {
            if (!free_slot) free_slot = x;
            continue;
        }
        // Least recently seen, preferring entries seen in a single unit.
        if (!victim || (x->occurrences < 2 && victim->occurrences >= 2) ||
            ((x->occurrences < 2) == (victim->occurrences < 2) && x->last_seen < victim->last_seen))
            victim = x;
    }
    if (!e) {
        e = free_slot;
        if (!e) {
            e = victim;
            header_->evictions++;
        } else {
            header_->count++;
        }
        std::memset(e, 0, sizeof *e);
        e->in_use = 1;
        e->kind = uint8_t(f.kind);
        e->userid = f.userid;
        e->dbid = f.dbid;
        e->parent_queryid = f.parent_queryid;
        e->queryid = f.queryid;
        e->first_seen = now;
    }
    e->last_seen = now;
    e->flags = f.flags;
    e->max_siblings = std::max(e->max_siblings, f.siblings);
    e->distinct_params = std::max(e->distinct_params, f.distinct_params);
    e->max_parent_rows = std::max(e->max_parent_rows, f.parent_rows);
    if (seen && e->occurrences > 0) {
        // Counted before (and the entry was not evicted since): add the growth.
        if (f.repeats > seen->repeats) {
            e->total_repeats += f.repeats - seen->repeats;
            e->time_ms += std::max(0.0, f.time_ms - seen->time_ms);
            e->max_repeats = std::max(e->max_repeats, f.repeats);
            seen->repeats = f.repeats;
            seen->time_ms = std::max(seen->time_ms, f.time_ms);
        }
        return;
    }
    if (!seen) {
        seen = oldest;
        seen->anchor = anchor;
        seen->key = key;
    }
    seen->repeats = f.repeats;
    seen->time_ms = f.time_ms;
    e->occurrences++;
    e->total_parent_rows += f.parent_rows;
    e->total_repeats += f.repeats;
    e->time_ms += f.time_ms;
    e->max_repeats = std::max(e->max_repeats, f.repeats);
    header_->recorded++;
}

void NpFindings::reset(int64_t now, uint64_t min_anchor) noexcept {
    std::memset(entries_, 0, sizeof(NpFindingEntry) * size_t(header_->capacity));
    std::memset(ledger_, 0, sizeof(NpLedgerSlot) * size_t(header_->ledger_sets) * kLedgerWays);
    header_->count = 0;
    header_->evictions = 0;
    header_->recorded = 0;
    header_->stats_reset = now;
    header_->min_anchor = min_anchor;
}

}  // namespace pothos::core
