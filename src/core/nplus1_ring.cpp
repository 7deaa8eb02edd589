// nplus1_ring.cpp -- see nplus1_ring.h.
#include "core/nplus1_ring.h"

#include "core/hot.h"

#include <climits>
#include <cstdint>
#include <cstring>

namespace pothos::core {

namespace {

constexpr size_t kLine = 64;

// The slots start at the first cache-line boundary after the header.
NpRingSlot* slots_of(void* mem) {
    uintptr_t p = reinterpret_cast<uintptr_t>(mem) + sizeof(NpRingHeader);
    p = (p + kLine - 1) & ~uintptr_t(kLine - 1);
    return reinterpret_cast<NpRingSlot*>(p);
}

}  // namespace

uint32_t NpRing::slots_for(uint32_t capacity) {
    uint32_t n = 1;
    while (n < capacity && n < (1u << 31)) n <<= 1;
    return n;
}

size_t NpRing::required_bytes(uint32_t capacity) {
    return sizeof(NpRingHeader) + kLine + sizeof(NpRingSlot) * size_t(slots_for(capacity));
}

NpRing NpRing::create(void* mem, uint32_t capacity) noexcept {
    std::memset(mem, 0, required_bytes(capacity));
    auto* h = static_cast<NpRingHeader*>(mem);
    h->capacity = slots_for(capacity);
    return attach(mem);
}

NpRing NpRing::attach(void* mem) noexcept {
    NpRing r;
    r.header_ = static_cast<NpRingHeader*>(mem);
    r.slots_ = slots_of(mem);
    return r;
}

uint64_t NpRing::head() const noexcept { return __atomic_load_n(&header_->head, __ATOMIC_ACQUIRE); }

POTHOS_HOT uint64_t NpRing::push(const NpEvent& ev) noexcept {
    uint64_t seq = __atomic_fetch_add(&header_->head, 1, __ATOMIC_ACQ_REL);
    NpRingSlot* s = &slots_[seq & (header_->capacity - 1)];
    __atomic_store_n(&s->version, 2 * seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    s->group = ev.group;
    s->queryid = ev.queryid;
    s->param_hash = ev.param_hash;
    s->ts_us = ev.ts_us;
    s->rows = ev.rows > INT32_MAX ? INT32_MAX : ev.rows < 0 ? 0 : int32_t(ev.rows);
    s->exec_ms = ev.exec_ms;
    s->backend = ev.backend;
    s->userid = ev.userid;
    s->dbid = ev.dbid;
    s->flags = ev.flags;
    s->nesting = ev.nesting;
    __atomic_store_n(&s->version, 2 * seq + 2, __ATOMIC_RELEASE);
    return seq;
}

bool NpRing::read(uint64_t seq, NpEvent* out) const noexcept {
    if (seq >= head() || seq < oldest()) return false;
    const NpRingSlot* s = &slots_[seq & (header_->capacity - 1)];
    uint64_t want = 2 * seq + 2;
    if (__atomic_load_n(&s->version, __ATOMIC_ACQUIRE) != want) return false;
    NpRingSlot copy;
    std::memcpy(&copy, s, sizeof copy);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&s->version, __ATOMIC_RELAXED) != want || copy.version != want) return false;
    *out = NpEvent{};
    out->seq = seq;
    out->group = copy.group;
    out->queryid = copy.queryid;
    out->param_hash = copy.param_hash;
    out->ts_us = copy.ts_us;
    out->rows = copy.rows;
    out->exec_ms = copy.exec_ms;
    out->backend = copy.backend;
    out->userid = copy.userid;
    out->dbid = copy.dbid;
    out->flags = copy.flags;
    out->nesting = copy.nesting;
    return true;
}

}  // namespace pothos::core
