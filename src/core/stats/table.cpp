// stats/table.cpp -- see stats/table.h.
#include "core/stats/table.h"

#include "core/common/align.h"
#include "core/common/hot.h"

#include <cstring>

namespace pothos::core {

namespace {

size_t align64(size_t n) { return (n + 63) & ~static_cast<size_t>(63); }

uint32_t index_size_for(uint32_t capacity) {
    uint32_t n = 16;
    while (n < 2 * capacity) n <<= 1;
    return n;
}

struct Layout {
    size_t index_off, free_off, entries_off, total;
    uint32_t stride;
};

Layout layout(uint32_t capacity, uint32_t text_cap) {
    Layout l;
    l.stride = static_cast<uint32_t>(align64(sizeof(StatEntry) + text_cap));
    l.index_off = align8(sizeof(StatTableHeader));
    l.free_off = align8(l.index_off + sizeof(int32_t) * index_size_for(capacity));
    l.entries_off = align64(l.free_off + sizeof(int32_t) * capacity);
    l.total = l.entries_off + static_cast<size_t>(l.stride) * capacity;
    return l;
}

}  // namespace

size_t StatTable::required_bytes(uint32_t capacity, uint32_t text_cap) noexcept {
    return layout(capacity, text_cap).total;
}

StatTable StatTable::create(void* mem, uint32_t capacity, uint32_t text_cap, int64_t now) noexcept {
    Layout l = layout(capacity, text_cap);
    std::memset(mem, 0, l.entries_off);
    auto* h = static_cast<StatTableHeader*>(mem);
    h->magic = kMagic;
    h->capacity = capacity;
    h->index_size = index_size_for(capacity);
    h->text_cap = text_cap;
    h->stride = l.stride;
    h->stats_reset = now;
    StatTable t = attach(mem);
    for (uint32_t i = 0; i < h->index_size; i++) t.index_[i] = -1;
    // Slot 0 on top of the stack, so slots fill in order.
    for (uint32_t i = 0; i < capacity; i++) {
        t.free_[i] = static_cast<int32_t>(capacity - 1 - i);
        t.entry(static_cast<int32_t>(i))->usage = kFreeMark;
        t.entry(static_cast<int32_t>(i))->lock_word = 0;
    }
    h->free_top = capacity;
    return t;
}

StatTable StatTable::attach(void* mem) noexcept {
    StatTable t;
    t.h_ = static_cast<StatTableHeader*>(mem);
    if (t.h_->magic != kMagic) {
        t.h_ = nullptr;
        return t;
    }
    Layout l = layout(t.h_->capacity, t.h_->text_cap);
    char* base = static_cast<char*>(mem);
    t.index_ = reinterpret_cast<int32_t*>(base + l.index_off);
    t.free_ = reinterpret_cast<int32_t*>(base + l.free_off);
    t.entries_ = base + l.entries_off;
    return t;
}

POTHOS_HOT int32_t StatTable::find(const StatKey& key) const noexcept {
    uint32_t mask = h_->index_size - 1;
    uint32_t hash = hash_key(key);
    for (uint32_t p = hash & mask;; p = (p + 1) & mask) {
        int32_t slot = index_[p];
        if (slot < 0) return -1;
        const StatEntry* e = entry(slot);
        if (e->hash == hash && e->key == key) return slot;
    }
}

void StatTable::index_insert(int32_t slot, uint32_t hash) noexcept {
    uint32_t mask = h_->index_size - 1;
    uint32_t p = hash & mask;
    while (index_[p] >= 0) p = (p + 1) & mask;
    index_[p] = slot;
}

void StatTable::index_remove(int32_t slot) noexcept {
    uint32_t mask = h_->index_size - 1;
    uint32_t i = entry(slot)->hash & mask;
    while (index_[i] != slot) i = (i + 1) & mask;  // present by construction
    // Backward-shift deletion keeps every probe chain unbroken.
    index_[i] = -1;
    for (uint32_t j = (i + 1) & mask; index_[j] >= 0; j = (j + 1) & mask) {
        uint32_t home = entry(index_[j])->hash & mask;
        bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        index_[i] = index_[j];
        index_[j] = -1;
        i = j;
    }
}

int32_t StatTable::evict_one() noexcept {
    // Only called when full: every slot is in use. Each full turn lowers every
    // usage by one, so this ends within capacity * (kMaxUsage + 1) steps.
    for (;;) {
        int32_t slot = static_cast<int32_t>(h_->clock_hand);
        h_->clock_hand = (h_->clock_hand + 1) % h_->capacity;
        StatEntry* e = entry(slot);
        uint32_t u = __atomic_load_n(&e->usage, __ATOMIC_RELAXED);
        if (u == 0) {
            remove(slot);
            h_->dealloc++;
            return slot;
        }
        __atomic_store_n(&e->usage, u - 1, __ATOMIC_RELAXED);
    }
}

int32_t StatTable::insert(const StatKey& key, const char* text, size_t len, int32_t encoding, int64_t now) noexcept {
    int32_t slot = find(key);
    if (slot >= 0) return slot;
    if (h_->free_top == 0) evict_one();
    slot = free_[--h_->free_top];
    StatEntry* e = entry(slot);
    // The lock word is left alone: a process with a stale slot number may
    // hold it, and finds the new key when it has it.
    lock(e);
    e->key = key;
    e->key.pad = 0;
    e->hash = hash_key(key);
    e->encoding = encoding;
    e->counters.clear(now);
    if (len > h_->text_cap) len = h_->text_cap;
    if (len > 0) std::memcpy(e->text(), text, len);
    e->text_len = static_cast<uint32_t>(len);
    __atomic_store_n(&e->usage, 0u, __ATOMIC_RELAXED);
    unlock(e);
    index_insert(slot, e->hash);
    h_->count++;
    return slot;
}

void StatTable::remove(int32_t slot) noexcept {
    index_remove(slot);
    StatEntry* e = entry(slot);
    lock(e);
    __atomic_store_n(&e->usage, kFreeMark, __ATOMIC_RELAXED);
    unlock(e);
    free_[h_->free_top++] = slot;
    h_->count--;
    h_->generation++;
}

uint32_t StatTable::reset(uint32_t userid, uint32_t dbid, uint64_t queryid, int64_t now) noexcept {
    uint32_t removed = 0;
    for (uint32_t s = 0; s < h_->capacity; s++) {
        int32_t slot = static_cast<int32_t>(s);
        if (!in_use(slot)) continue;
        const StatKey& k = entry(slot)->key;
        if ((userid == 0 || k.userid == userid) && (dbid == 0 || k.dbid == dbid) &&
            (queryid == 0 || k.queryid == queryid)) {
            remove(slot);
            removed++;
        }
    }
    if (userid == 0 && dbid == 0 && queryid == 0) {
        h_->dealloc = 0;
        h_->stats_reset = now;
    }
    h_->generation++;
    return removed;
}

}  // namespace pothos::core
