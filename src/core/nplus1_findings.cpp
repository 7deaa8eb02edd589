// nplus1_findings.cpp -- see nplus1_findings.h.
#include "core/nplus1_findings.h"

#include <algorithm>
#include <cstring>

namespace pothos::core {

namespace {
constexpr size_t align8(size_t n) { return (n + 7) & ~size_t(7); }

bool same_key(const NpFindingEntry& e, const NpFinding& f) {
    return e.in_use && e.kind == uint8_t(f.kind) && e.userid == f.userid && e.dbid == f.dbid &&
           e.parent_queryid == f.parent_queryid && e.queryid == f.queryid;
}
}  // namespace

size_t NpFindings::required_bytes(uint32_t capacity) {
    return align8(sizeof(NpFindingsHeader)) + sizeof(NpFindingEntry) * size_t(capacity);
}

NpFindings NpFindings::create(void* mem, uint32_t capacity, int64_t now) noexcept {
    std::memset(mem, 0, required_bytes(capacity));
    auto* h = static_cast<NpFindingsHeader*>(mem);
    h->capacity = capacity;
    h->stats_reset = now;
    return attach(mem);
}

NpFindings NpFindings::attach(void* mem) noexcept {
    NpFindings t;
    t.header_ = static_cast<NpFindingsHeader*>(mem);
    t.entries_ = reinterpret_cast<NpFindingEntry*>(static_cast<char*>(mem) + align8(sizeof(NpFindingsHeader)));
    return t;
}

void NpFindings::record(const NpFinding& f, int64_t now) noexcept {
    const uint32_t cap = header_->capacity;
    if (cap == 0 || f.anchor < header_->min_anchor) return;
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
    for (int i = 0; i < NpFindingEntry::kAnchors; i++) {
        if (e->anchors[i] == f.anchor + 1) {  // stored +1 so that 0 means empty
            if (f.repeats > e->anchor_repeats[i]) {
                e->total_repeats += f.repeats - e->anchor_repeats[i];
                e->time_ms += std::max(0.0, f.time_ms - e->anchor_time[i]);
                e->anchor_repeats[i] = f.repeats;
                e->anchor_time[i] = f.time_ms;
                e->max_repeats = std::max(e->max_repeats, f.repeats);
            }
            return;
        }
    }
    uint32_t k = e->anchor_next % NpFindingEntry::kAnchors;
    e->anchor_next++;
    e->anchors[k] = f.anchor + 1;
    e->anchor_repeats[k] = f.repeats;
    e->anchor_time[k] = f.time_ms;
    e->occurrences++;
    e->total_parent_rows += f.parent_rows;
    e->total_repeats += f.repeats;
    e->time_ms += f.time_ms;
    e->max_repeats = std::max(e->max_repeats, f.repeats);
    header_->recorded++;
}

void NpFindings::reset(int64_t now, uint64_t min_anchor) noexcept {
    std::memset(entries_, 0, sizeof(NpFindingEntry) * size_t(header_->capacity));
    header_->count = 0;
    header_->evictions = 0;
    header_->recorded = 0;
    header_->stats_reset = now;
    header_->min_anchor = min_anchor;
}

}  // namespace pothos::core
