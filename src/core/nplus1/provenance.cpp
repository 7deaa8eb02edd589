// nplus1/provenance.cpp -- see nplus1/provenance.h.
#include "core/nplus1/provenance.h"

#include <algorithm>
#include <cstring>

#include "core/common/align.h"

namespace pothos::core {

namespace {

size_t ring_size(uint32_t records, uint32_t values) {
    return sizeof(Nplus1ProvHead) + align_line(sizeof(Nplus1ProvRecord) * size_t(records)) +
           align_line(sizeof(uint32_t) * size_t(values));
}

constexpr uint32_t kMinRecords = 4;
constexpr uint32_t kMinValues = 64;

}  // namespace

void Nplus1ProvWriter::open(uint32_t cap) noexcept {
    cap = uint32_t(std::min<uint64_t>(cap, (value_mask + 1) / 4));
    start = pos = __atomic_load_n(&head->values, __ATOMIC_RELAXED);
    end = start + cap;
    // The reservation is visible before any value of it is written (the
    // release fence orders this store before the stores into the arena).
    if (end > __atomic_load_n(&head->reserved, __ATOMIC_RELAXED)) __atomic_store_n(&head->reserved, end, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    if (cap == 0) end = 0;
}

uint64_t Nplus1ProvWriter::publish(uint64_t event_seq) noexcept {
    const uint64_t r = __atomic_load_n(&head->records, __ATOMIC_RELAXED);
    // The previous head store comes before the stores into this record.
    __atomic_thread_fence(__ATOMIC_RELEASE);
    Nplus1ProvRecord* rec = &records[r & record_mask];
    rec->event_seq = event_seq;
    rec->value_start = start;
    rec->nvalues = uint32_t(pos - start);
    __atomic_store_n(&head->values, pos, __ATOMIC_RELEASE);
    __atomic_store_n(&head->records, r + 1, __ATOMIC_RELEASE);
    start = pos = end = 0;
    return r;
}

uint32_t Nplus1ProvArea::pow2_at_least(uint32_t n, uint32_t min) noexcept {
    uint32_t p = min;
    while (p < n && p < (1u << 30)) p <<= 1;
    return p;
}

size_t Nplus1ProvArea::required_bytes(uint32_t rings, uint32_t records_per_ring, uint32_t values_per_ring) noexcept {
    return kCacheLine + align_line(sizeof(Nplus1ProvHeader)) +
           size_t(rings) * ring_size(pow2_at_least(records_per_ring, kMinRecords),
                                     pow2_at_least(values_per_ring, kMinValues));
}

Nplus1ProvArea Nplus1ProvArea::create(void* mem, uint32_t rings, uint32_t records_per_ring,
                                      uint32_t values_per_ring) noexcept {
    char* base = line_aligned(mem);
    const uint32_t records = pow2_at_least(records_per_ring, kMinRecords);
    const uint32_t values = pow2_at_least(values_per_ring, kMinValues);
    std::memset(base, 0, align_line(sizeof(Nplus1ProvHeader)) + size_t(rings) * ring_size(records, values));
    auto* h = reinterpret_cast<Nplus1ProvHeader*>(base);
    h->rings = rings;
    h->records_per_ring = records;
    h->values_per_ring = values;
    return attach(mem);
}

Nplus1ProvArea Nplus1ProvArea::attach(void* mem) noexcept {
    Nplus1ProvArea a;
    char* base = line_aligned(mem);
    a.header_ = reinterpret_cast<Nplus1ProvHeader*>(base);
    a.rings_ = base + align_line(sizeof(Nplus1ProvHeader));
    a.ring_bytes_ = ring_size(a.header_->records_per_ring, a.header_->values_per_ring);
    return a;
}

char* Nplus1ProvArea::ring_base(uint32_t r) const noexcept { return rings_ + size_t(r) * ring_bytes_; }

Nplus1ProvRecord* Nplus1ProvArea::records_of(uint32_t r) const noexcept {
    return reinterpret_cast<Nplus1ProvRecord*>(ring_base(r) + sizeof(Nplus1ProvHead));
}

uint32_t* Nplus1ProvArea::values_of(uint32_t r) const noexcept {
    return reinterpret_cast<uint32_t*>(ring_base(r) + sizeof(Nplus1ProvHead) +
                                       align_line(sizeof(Nplus1ProvRecord) * size_t(header_->records_per_ring)));
}

Nplus1ProvWriter Nplus1ProvArea::writer(uint32_t r) const noexcept {
    Nplus1ProvWriter w;
    if (header_ == nullptr || r >= header_->rings) return w;
    w.head = head_of(r);
    w.records = records_of(r);
    w.values = values_of(r);
    w.record_mask = header_->records_per_ring - 1;
    w.value_mask = header_->values_per_ring - 1;
    return w;
}

uint64_t Nplus1ProvArea::record_head(uint32_t r) const noexcept {
    return __atomic_load_n(&head_of(r)->records, __ATOMIC_ACQUIRE);
}

uint64_t Nplus1ProvArea::record_number(uint32_t r, uint32_t low32) const noexcept {
    const uint64_t h = record_head(r);
    uint64_t n = (h & ~uint64_t(0xffffffffu)) | low32;
    if (n >= h && n >= (uint64_t(1) << 32)) n -= uint64_t(1) << 32;
    return n;
}

int Nplus1ProvArea::read(uint32_t r, uint64_t record, uint64_t event_seq, uint32_t* out,
                         uint32_t cap) const noexcept {
    if (header_ == nullptr || r >= header_->rings) return -1;
    const uint64_t nrec = header_->records_per_ring;
    const uint64_t nval = header_->values_per_ring;
    const Nplus1ProvHead* h = head_of(r);
    // As in the window: only records (head - nrec, head) are stable.
    const uint64_t h1 = __atomic_load_n(&h->records, __ATOMIC_ACQUIRE);
    if (record >= h1 || record + nrec <= h1) return -1;
    Nplus1ProvRecord rec;
    std::memcpy(&rec, &records_of(r)[record & (nrec - 1)], sizeof rec);
    if (rec.event_seq != event_seq || rec.nvalues > nval) return -1;
    const uint32_t n = std::min(rec.nvalues, cap);
    const uint32_t* values = values_of(r);
    for (uint32_t i = 0; i < n; i++) out[i] = values[(rec.value_start + i) & (nval - 1)];
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    // Neither the record nor its values were come round to while copied.
    if (record + nrec <= __atomic_load_n(&h->records, __ATOMIC_RELAXED)) return -1;
    if (__atomic_load_n(&h->reserved, __ATOMIC_RELAXED) > rec.value_start + nval) return -1;
    return int(n);
}

}  // namespace pothos::core
