// nplus1/findings.cpp -- see nplus1/findings.h.
#include "core/nplus1/findings.h"

#include <algorithm>
#include <cstring>

#include "core/common/align.h"

namespace pothos::core {

namespace {

uint32_t ledger_sets(uint32_t slots) {
    uint32_t sets = (slots + Nplus1Findings::kLedgerWays - 1) / Nplus1Findings::kLedgerWays;
    return sets ? sets : 1;
}

uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 31);
}

uint64_t key_hash(const Nplus1Finding& f, uint64_t child) {
    uint64_t h = mix(0x6c6564676572ull, uint64_t(f.kind));  // "ledger"
    h = mix(h, (uint64_t(f.userid) << 32) | f.dbid);
    h = mix(h, f.parent_queryid);
    return mix(h, child);
}

bool same_parent(const Nplus1FindingEntry& e, const Nplus1Finding& f) {
    return e.in_use && e.kind == uint8_t(f.kind) && e.userid == f.userid && e.dbid == f.dbid &&
           e.parent_queryid == f.parent_queryid;
}

int child_index(const Nplus1FindingEntry& e, uint64_t q) {
    for (int i = 0; i < e.nchildren; i++)
        if (e.child[i].queryid == q) return i;
    return -1;
}

// The children of an occurrence: its list, or the finding itself.
int children_of(const Nplus1Finding& f, Nplus1Child* out) {
    if (f.nchildren == 0) {
        out[0] = Nplus1Child{f.queryid, f.anchor, f.repeats, f.distinct_params, f.time_ms, f.last_ts_us, f.flags};
        return 1;
    }
    int n = std::min<int>(f.nchildren, kNplus1MaxChildren);
    for (int i = 0; i < n; i++) out[i] = f.children[i];
    return n;
}
}  // namespace

uint32_t Nplus1Findings::ledger_slots_for(uint32_t window_events) noexcept {
    // At most window_events / 2 occurrences of one kind have their events in
    // the window; half again for the other kinds and for set collisions.
    uint64_t slots = uint64_t(window_events) * 3 / 4;
    return uint32_t(std::max<uint64_t>(slots, 64));
}

size_t Nplus1Findings::required_bytes(uint32_t capacity, uint32_t ledger_slots) noexcept {
    return align8(sizeof(Nplus1FindingsHeader)) + sizeof(Nplus1FindingEntry) * size_t(capacity) +
           sizeof(Nplus1LedgerSlot) * size_t(ledger_sets(ledger_slots)) * kLedgerWays;
}

Nplus1Findings Nplus1Findings::create(void* mem, uint32_t capacity, int64_t now, uint32_t ledger_slots) noexcept {
    std::memset(mem, 0, required_bytes(capacity, ledger_slots));
    auto* h = static_cast<Nplus1FindingsHeader*>(mem);
    h->capacity = capacity;
    h->stats_reset = now;
    h->ledger_sets = ledger_sets(ledger_slots);
    return attach(mem);
}

Nplus1Findings Nplus1Findings::attach(void* mem) noexcept {
    Nplus1Findings t;
    t.header_ = static_cast<Nplus1FindingsHeader*>(mem);
    t.entries_ = reinterpret_cast<Nplus1FindingEntry*>(static_cast<char*>(mem) + align8(sizeof(Nplus1FindingsHeader)));
    t.ledger_ = reinterpret_cast<Nplus1LedgerSlot*>(t.entries_ + t.header_->capacity);
    return t;
}

Nplus1FindingEntry* Nplus1Findings::find_entry(const Nplus1Finding& f, uint64_t child) noexcept {
    for (uint32_t i = 0; i < header_->capacity; i++)
        if (same_parent(entries_[i], f) && child_index(entries_[i], child) >= 0) return &entries_[i];
    return nullptr;
}

Nplus1FindingEntry* Nplus1Findings::new_entry(const Nplus1Finding& f, int64_t now, Nplus1FindingEntry* const* keep,
                                      int nkeep) noexcept {
    Nplus1FindingEntry* free_slot = nullptr;
    Nplus1FindingEntry* victim = nullptr;
    for (uint32_t i = 0; i < header_->capacity; i++) {
        Nplus1FindingEntry* x = &entries_[i];
        if (!x->in_use) {
            free_slot = x;
            break;
        }
        bool kept = false;
        for (int k = 0; k < nkeep; k++) kept = kept || keep[k] == x;
        if (kept) continue;
        // Least recently seen, preferring entries seen in a single unit.
        if (!victim || (x->occurrences < 2 && victim->occurrences >= 2) ||
            ((x->occurrences < 2) == (victim->occurrences < 2) && x->last_seen < victim->last_seen))
            victim = x;
    }
    Nplus1FindingEntry* e = free_slot;
    if (!e) {
        e = victim;
        if (!e) return nullptr;  // every entry is taken by this occurrence
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
    e->first_seen = now;
    return e;
}

void Nplus1Findings::record(const Nplus1Finding& f, int64_t now) noexcept {
    if (header_->capacity == 0 || f.anchor_ts < header_->min_anchor_ts) return;
    Nplus1Child kids[kNplus1MaxChildren];
    const int n = children_of(f, kids);

    // Where each child is counted: the entry of this parent that lists it,
    // else the occurrence's home entry (while it has room), else a new one.
    Nplus1FindingEntry* where[kNplus1MaxChildren] = {};
    Nplus1FindingEntry* home = nullptr;
    for (int i = 0; i < n; i++) {
        where[i] = find_entry(f, kids[i].queryid);
        if (where[i] && !home) home = where[i];
    }
    for (int i = 0; i < n; i++) {
        if (where[i]) continue;
        if (!home || home->nchildren >= kNplus1MaxChildren) {
            home = new_entry(f, now, where, n);
            if (!home) continue;
        }
        Nplus1ChildStats& c = home->child[home->nchildren++];
        c.queryid = kids[i].queryid;
        if (home->nchildren == 1) home->queryid = kids[i].queryid;
        where[i] = home;
    }

    const uint64_t anchor = f.anchor + 1;  // 0 means empty
    // Per child, the ledger says whether this occurrence was counted already:
    // then only the growth of its repeats and time is added.
    bool fresh[kNplus1MaxChildren] = {};
    for (int i = 0; i < n; i++) {
        Nplus1FindingEntry* e = where[i];
        if (!e) continue;
        Nplus1ChildStats& c = e->child[child_index(*e, kids[i].queryid)];
        const uint64_t key = key_hash(f, kids[i].queryid);
        Nplus1LedgerSlot* set = ledger_ + size_t(mix(key, anchor) % header_->ledger_sets) * kLedgerWays;
        Nplus1LedgerSlot* seen = nullptr;
        Nplus1LedgerSlot* oldest = &set[0];
        for (uint32_t w = 0; w < kLedgerWays; w++) {
            if (set[w].anchor == anchor && set[w].key == key) {
                seen = &set[w];
                break;
            }
            // the way to reuse: an empty one, else the oldest anchor
            if (oldest->anchor != 0 && (set[w].anchor == 0 || set[w].anchor_ts < oldest->anchor_ts)) oldest = &set[w];
        }
        c.flags = kids[i].flags;
        c.distinct_params = std::max(c.distinct_params, kids[i].distinct_params);
        if (seen && c.occurrences > 0) {
            // Counted before (and the child was not evicted since): add the growth.
            if (kids[i].repeats > seen->repeats) {
                c.total_repeats += kids[i].repeats - seen->repeats;
                c.time_ms += std::max(0.0, kids[i].time_ms - seen->time_ms);
                c.max_repeats = std::max(c.max_repeats, kids[i].repeats);
                seen->repeats = kids[i].repeats;
                seen->time_ms = std::max(seen->time_ms, kids[i].time_ms);
            }
            continue;
        }
        if (!seen) {
            seen = oldest;
            seen->anchor = anchor;
            seen->anchor_ts = f.anchor_ts;
            seen->key = key;
        }
        seen->repeats = kids[i].repeats;
        seen->time_ms = kids[i].time_ms;
        fresh[i] = true;
        c.occurrences++;
        c.total_repeats += kids[i].repeats;
        c.time_ms += kids[i].time_ms;
        c.max_repeats = std::max(c.max_repeats, kids[i].repeats);
    }

    // Per entry: a new occurrence when none of its children here had been
    // counted (a child that joins an occurrence counted before adds none).
    for (int i = 0; i < n; i++) {
        Nplus1FindingEntry* e = where[i];
        if (!e) continue;
        bool first = true, all_fresh = true;
        for (int j = 0; j < n; j++) {
            if (where[j] != e) continue;
            if (j < i) first = false;
            all_fresh = all_fresh && fresh[j];
        }
        if (!first) continue;  // each entry once
        e->last_seen = now;
        e->max_parent_rows = std::max(e->max_parent_rows, f.parent_rows);
        if (all_fresh) {
            e->occurrences++;
            e->total_parent_rows += f.parent_rows;
            header_->recorded++;
        }
        const Nplus1ChildStats& c0 = e->child[0];
        e->flags = c0.flags;
        e->total_repeats = c0.total_repeats;
        e->max_repeats = c0.max_repeats;
        e->distinct_params = c0.distinct_params;
        e->time_ms = c0.time_ms;
    }
}

void Nplus1Findings::reset(int64_t now, int64_t min_anchor_ts) noexcept {
    std::memset(entries_, 0, sizeof(Nplus1FindingEntry) * size_t(header_->capacity));
    std::memset(ledger_, 0, sizeof(Nplus1LedgerSlot) * size_t(header_->ledger_sets) * kLedgerWays);
    header_->count = 0;
    header_->evictions = 0;
    header_->recorded = 0;
    header_->stats_reset = now;
    header_->min_anchor_ts = min_anchor_ts;
}

}  // namespace pothos::core
