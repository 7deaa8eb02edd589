// nplus1_ring.cpp -- see nplus1_ring.h.
#include "core/nplus1_ring.h"

#include "core/hot.h"

#include <cstring>

namespace pothos::core {

namespace {
constexpr size_t align8(size_t n) { return (n + 7) & ~size_t(7); }
}  // namespace

size_t NpRing::required_bytes(uint32_t capacity) {
    return align8(sizeof(NpRingHeader)) + sizeof(NpRingSlot) * size_t(capacity);
}

NpRing NpRing::create(void* mem, uint32_t capacity) noexcept {
    std::memset(mem, 0, required_bytes(capacity));
    auto* h = static_cast<NpRingHeader*>(mem);
    h->capacity = capacity;
    return attach(mem);
}

NpRing NpRing::attach(void* mem) noexcept {
    NpRing r;
    r.header_ = static_cast<NpRingHeader*>(mem);
    r.slots_ = reinterpret_cast<NpRingSlot*>(static_cast<char*>(mem) + align8(sizeof(NpRingHeader)));
    return r;
}

uint64_t NpRing::head() const noexcept { return __atomic_load_n(&header_->head, __ATOMIC_ACQUIRE); }

POTHOS_HOT uint64_t NpRing::push(const NpEvent& ev) noexcept {
    uint64_t seq = __atomic_fetch_add(&header_->head, 1, __ATOMIC_ACQ_REL);
    NpRingSlot* s = &slots_[seq % header_->capacity];
    __atomic_store_n(&s->version, 2 * seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    std::memcpy(&s->ev, &ev, sizeof ev);
    s->ev.seq = seq;
    __atomic_store_n(&s->version, 2 * seq + 2, __ATOMIC_RELEASE);
    return seq;
}

bool NpRing::read(uint64_t seq, NpEvent* out) const noexcept {
    if (seq >= head() || seq < oldest()) return false;
    const NpRingSlot* s = &slots_[seq % header_->capacity];
    uint64_t want = 2 * seq + 2;
    if (__atomic_load_n(&s->version, __ATOMIC_ACQUIRE) != want) return false;
    std::memcpy(out, &s->ev, sizeof *out);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n(&s->version, __ATOMIC_RELAXED) == want && out->seq == seq;
}

}  // namespace pothos::core
