// nplus1/window.cpp -- see nplus1/window.h.
#include "core/nplus1/window.h"

#include <climits>
#include <cstdint>
#include <cstring>

#include "core/common/align.h"

namespace pothos::core {

namespace {

size_t ring_bytes(uint32_t slots) { return sizeof(Nplus1RingHead) + sizeof(Nplus1Slot) * size_t(slots); }

}  // namespace

uint32_t Nplus1Window::slots_for(uint32_t capacity) noexcept {
    uint32_t n = 16;
    while (n < capacity && n < (1u << 30)) n <<= 1;
    return n;
}

size_t Nplus1Window::required_bytes(uint32_t rings, uint32_t capacity) noexcept {
    if (rings > kMaxRings) rings = kMaxRings;
    return kCacheLine + sizeof(Nplus1WindowHeader) + size_t(rings) * ring_bytes(slots_for(capacity));
}

Nplus1Window Nplus1Window::create(void* mem, uint32_t rings, uint32_t capacity) noexcept {
    if (rings > kMaxRings) rings = kMaxRings;
    char* base = line_aligned(mem);  // the header starts at a cache line
    std::memset(base, 0, sizeof(Nplus1WindowHeader) + size_t(rings) * ring_bytes(slots_for(capacity)));
    auto* h = reinterpret_cast<Nplus1WindowHeader*>(base);
    h->rings = rings;
    h->capacity = slots_for(capacity);
    return attach(mem);
}

Nplus1Window Nplus1Window::attach(void* mem) noexcept {
    Nplus1Window w;
    char* base = line_aligned(mem);  // the header starts at a cache line
    w.header_ = reinterpret_cast<Nplus1WindowHeader*>(base);
    w.rings_ = base + sizeof(Nplus1WindowHeader);
    return w;
}

Nplus1RingHead* Nplus1Window::head_of(uint32_t r) const noexcept {
    return reinterpret_cast<Nplus1RingHead*>(rings_ + size_t(r) * ring_bytes(header_->capacity));
}

Nplus1Slot* Nplus1Window::slots_of(uint32_t r) const noexcept {
    return reinterpret_cast<Nplus1Slot*>(reinterpret_cast<char*>(head_of(r)) + sizeof(Nplus1RingHead));
}

Nplus1RingWriter Nplus1Window::writer(uint32_t r) const noexcept {
    Nplus1RingWriter w;
    if (header_ == nullptr || r >= header_->rings) return w;
    w.head = head_of(r);
    w.slots = slots_of(r);
    w.mask = header_->capacity - 1;
    w.ring = r;
    return w;
}

uint64_t Nplus1Window::head(uint32_t r) const noexcept { return __atomic_load_n(&head_of(r)->head, __ATOMIC_ACQUIRE); }

uint64_t Nplus1Window::total() const noexcept {
    uint64_t n = 0;
    for (uint32_t r = 0; r < header_->rings; r++) n += head(r);
    return n;
}

bool Nplus1Window::read(uint32_t r, uint64_t seq, Nplus1Event* out) const noexcept {
    if (r >= header_->rings) return false;
    const uint64_t cap = header_->capacity;
    const Nplus1RingHead* h = head_of(r);
    // The writer may be rewriting the slot of sequence number head - cap:
    // only (head - cap, head) is stable.
    uint64_t h1 = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
    if (seq >= h1 || seq + cap <= h1) return false;
    Nplus1Slot copy;
    std::memcpy(&copy, &slots_of(r)[seq & (cap - 1)], sizeof copy);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    uint64_t h2 = __atomic_load_n(&h->head, __ATOMIC_RELAXED);
    if (seq + cap <= h2) return false;  // came round to this slot while it was copied
    *out = Nplus1Event{};
    out->seq = seq;
    out->id = id_of(r, seq);
    out->group = copy.group;
    out->queryid = copy.queryid;
    out->param_hash = copy.param_hash;
    out->ts_us = copy.ts_us;
    out->rows = copy.rows;
    out->exec_ms = copy.exec_ms;
    out->backend = r;
    out->userid = copy.userid;
    out->dbid = copy.dbid;
    out->flags = copy.flags;
    out->nesting = copy.nesting;
    out->keys[0] = copy.keys[0];
    out->keys[1] = copy.keys[1];
    out->prov = copy.prov;
    return true;
}

}  // namespace pothos::core
