// advisor/pred_table.cpp -- see advisor/pred_table.h.
#include "core/advisor/pred_table.h"

#include <cstring>

#include "core/common/align.h"

namespace pothos::core::advisor {

namespace {

uint32_t buckets_for(uint32_t capacity) {
    uint32_t n = 16;
    while (n < capacity) n <<= 1;
    return n;
}

uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

}  // namespace

const char* use_kind_name(UseKind k) noexcept {
    switch (k) {
    case UseKind::Eq: return "equality";
    case UseKind::Range: return "range";
    case UseKind::In: return "IN list";
    case UseKind::Like: return "LIKE prefix";
    case UseKind::IsNull: return "IS NULL";
    case UseKind::NotNull: return "IS NOT NULL";
    case UseKind::BoolTrue: return "boolean true";
    case UseKind::BoolFalse: return "boolean false";
    case UseKind::JoinKey: return "join key";
    case UseKind::OrderBy: return "ORDER BY ... LIMIT";
    case UseKind::Output: return "read";
    case UseKind::ConstHash: return "constant hash";
    }
    return "other";
}

bool operator==(const PredKey& a, const PredKey& b) {
    return a.dbid == b.dbid && a.relid == b.relid && a.queryid == b.queryid && a.attnum == b.attnum &&
           a.kind == b.kind && a.pos == b.pos && a.flags == b.flags;
}

size_t PredTable::required_bytes(uint32_t capacity) noexcept {
    return align8(sizeof(PredTableHeader)) + align8(sizeof(int32_t) * buckets_for(capacity)) +
           sizeof(PredEntry) * static_cast<size_t>(capacity);
}

PredTable PredTable::create(void* mem, uint32_t capacity) noexcept {
    std::memset(mem, 0, align8(sizeof(PredTableHeader)));
    auto* h = static_cast<PredTableHeader*>(mem);
    h->magic = kMagic;
    h->capacity = capacity;
    h->nbuckets = buckets_for(capacity);
    PredTable t = attach(mem);
    for (uint32_t i = 0; i < h->nbuckets; i++) t.buckets_[i] = -1;
    for (uint32_t i = 0; i < capacity; i++) {
        t.entries_[i] = PredEntry{};
        t.entries_[i].next = -1;
        t.entries_[i].usage = kFree;
    }
    return t;
}

PredTable PredTable::attach(void* mem) noexcept {
    PredTable t;
    auto* h = static_cast<PredTableHeader*>(mem);
    if (h->magic != kMagic) return t;
    char* base = static_cast<char*>(mem);
    t.h_ = h;
    t.buckets_ = reinterpret_cast<int32_t*>(base + align8(sizeof(PredTableHeader)));
    t.entries_ = reinterpret_cast<PredEntry*>(base + align8(sizeof(PredTableHeader)) +
                                              align8(sizeof(int32_t) * h->nbuckets));
    return t;
}

uint32_t PredTable::bucket_of(const PredKey& k) const noexcept {
    uint64_t h = mix(k.queryid ^ (static_cast<uint64_t>(k.relid) << 20) ^ k.dbid);
    h = mix(h ^ (static_cast<uint64_t>(static_cast<uint16_t>(k.attnum)) << 24) ^
            (static_cast<uint64_t>(k.kind) << 8) ^ k.pos ^ (static_cast<uint64_t>(k.flags) << 40));
    return static_cast<uint32_t>(h) & (h_->nbuckets - 1);
}

PredEntry* PredTable::find(const PredKey& key) noexcept {
    for (int32_t s = buckets_[bucket_of(key)]; s >= 0; s = entries_[s].next)
        if (entries_[s].key == key) return &entries_[s];
    return nullptr;
}

void PredTable::unlink(uint32_t slot) noexcept {
    int32_t* link = &buckets_[bucket_of(entries_[slot].key)];
    while (*link >= 0) {
        if (static_cast<uint32_t>(*link) == slot) {
            *link = entries_[slot].next;
            break;
        }
        link = &entries_[*link].next;
    }
    entries_[slot].next = -1;
    entries_[slot].usage = kFree;
}

uint32_t PredTable::take_slot() noexcept {
    if (h_->holes > 0) {
        for (uint32_t i = 0; i < h_->count; i++) {
            if (entries_[i].usage == kFree) {
                h_->holes--;
                return i;
            }
        }
        h_->holes = 0;
    }
    if (h_->count < h_->capacity) return h_->count++;
    for (;;) {
        uint32_t s = h_->hand;
        h_->hand = (h_->hand + 1) % h_->capacity;
        PredEntry& e = entries_[s];
        if (e.usage == 0) {
            unlink(s);
            h_->evictions++;
            return s;
        }
        e.usage--;
    }
}

PredEntry* PredTable::upsert(const PredKey& key) noexcept {
    PredEntry* e = find(key);
    if (e == nullptr) {
        uint32_t s = take_slot();
        e = &entries_[s];
        e->key = key;
        e->stats = PredStats{};
        e->usage = 0;
        uint32_t b = bucket_of(key);
        e->next = buckets_[b];
        buckets_[b] = static_cast<int32_t>(s);
    }
    if (e->usage < kMaxUsage) e->usage++;
    return e;
}

void PredTable::record(const PredKey& key, double returned, double filtered, bool index_cond) noexcept {
    PredEntry* e = upsert(key);
    e->stats.samples++;
    e->stats.rows_returned += returned;
    e->stats.rows_filtered += filtered;
    if (index_cond) e->stats.index_cond = 1;
    h_->updates++;
}

void PredTable::clear(uint32_t dbid) noexcept {
    for (uint32_t i = 0; i < h_->count; i++) {
        if (entries_[i].usage == kFree) continue;
        if (dbid == 0 || entries_[i].key.dbid == dbid) {
            unlink(i);
            h_->holes++;
        }
    }
}

}  // namespace pothos::core::advisor
