// nplus1/provenance.h -- what candidate parent queries returned, as hashes
// (nplus1/value_hash.h), for the N+1 detector to tell whether a lookup's key
// came from a parent's rows. All in one caller-provided block (PostgreSQL
// shared memory in the extension, so that the lookups a pooled client sends
// on other connections are matched too).
//
// One area per backend (the window's ring number), written by that backend
// only, read by any: a ring of records, one per hashed parent execution
// (the event it belongs to, where its values start, how many), and a ring
// (the arena) of 32-bit value hashes those records point into. Appending
// takes no lock and no atomic read-modify-write:
//  * open(cap) reserves cap arena positions: it publishes the reservation's
//    end before any of them is written, so a reader that copied values knows
//    they were not overwritten meanwhile if, read again afterwards, the
//    reservation has not come within a lap of them;
//  * put() writes values (at most cap; the rest are dropped);
//  * publish(event) writes the record, then the arena's end and the record
//    head (release); abandon() drops what was put (the next open reuses the
//    positions, nothing was published).
// A reader checks a record the way the window checks a slot (the head read
// before and after the copy). Memory is bounded: records_per_ring records
// and values_per_ring values per backend (powers of two). Eviction: each
// backend's oldest records and values are overwritten first; a record whose
// values were overwritten reads as gone.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pothos::core {

struct alignas(64) Nplus1ProvHead {
    uint64_t records;   // number of the next record
    uint64_t values;    // arena position after the last published record's values
    uint64_t reserved;  // end of the latest reservation (positions below may be being written)
};

struct Nplus1ProvRecord {
    uint64_t event_seq;    // the parent event's sequence number in its window ring
    uint64_t value_start;  // arena position of its first value
    uint32_t nvalues;
    uint32_t pad;
    uint64_t pad2;
};
static_assert(sizeof(Nplus1ProvRecord) == 32, "two records per cache line");

struct Nplus1ProvHeader {
    uint32_t rings;
    uint32_t records_per_ring;  // powers of two
    uint32_t values_per_ring;
    uint32_t pad;
};

// What one backend needs to append to its area (kept in its own memory).
struct Nplus1ProvWriter {
    Nplus1ProvHead* head = nullptr;  // nullptr: no area
    Nplus1ProvRecord* records = nullptr;
    uint32_t* values = nullptr;
    uint64_t record_mask = 0;
    uint64_t value_mask = 0;
    // The open reservation: [start, end), the next position at pos.
    uint64_t start = 0;
    uint64_t pos = 0;
    uint64_t end = 0;

    bool valid() const noexcept { return head != nullptr; }
    bool is_open() const noexcept { return end != 0; }
    // Reserves room for at most cap values (cap is capped at a quarter of
    // the arena).
    void open(uint32_t cap) noexcept;
    void put(uint32_t v) noexcept {
        if (pos < end) values[pos++ & value_mask] = v;
    }
    bool full() const noexcept { return pos >= end; }
    uint32_t count() const noexcept { return uint32_t(pos - start); }
    // Publishes the values put as the record of event event_seq; returns the
    // record's number.
    uint64_t publish(uint64_t event_seq) noexcept;
    void abandon() noexcept { start = pos = end = 0; }
    // Records and values published so far (for callers that measure how far
    // the area has come round).
    uint64_t records_written() const noexcept { return __atomic_load_n(&head->records, __ATOMIC_RELAXED); }
    uint64_t values_written() const noexcept { return __atomic_load_n(&head->values, __ATOMIC_RELAXED); }
};

class Nplus1ProvArea {
public:
    static uint32_t pow2_at_least(uint32_t n, uint32_t min) noexcept;
    static size_t required_bytes(uint32_t rings, uint32_t records_per_ring, uint32_t values_per_ring) noexcept;
    // Formats mem (sizes rounded up to powers of two, at least 4 records and
    // 64 values per ring).
    static Nplus1ProvArea create(void* mem, uint32_t rings, uint32_t records_per_ring,
                                 uint32_t values_per_ring) noexcept;
    static Nplus1ProvArea attach(void* mem) noexcept;
    Nplus1ProvArea() = default;

    uint32_t rings() const noexcept { return header_->rings; }
    uint32_t records_per_ring() const noexcept { return header_->records_per_ring; }
    uint32_t values_per_ring() const noexcept { return header_->values_per_ring; }
    Nplus1ProvWriter writer(uint32_t r) const noexcept;
    uint64_t record_head(uint32_t r) const noexcept;
    // The full number of ring r's record whose low 32 bits are low32 (the
    // most recent one), as an event keeps it.
    uint64_t record_number(uint32_t r, uint32_t low32) const noexcept;
    // Copies the values of record `record` of ring r into out (at most cap)
    // if that record still belongs to event event_seq and neither it nor
    // its values were overwritten; returns how many, or -1.
    int read(uint32_t r, uint64_t record, uint64_t event_seq, uint32_t* out, uint32_t cap) const noexcept;

private:
    char* ring_base(uint32_t r) const noexcept;
    Nplus1ProvHead* head_of(uint32_t r) const noexcept { return reinterpret_cast<Nplus1ProvHead*>(ring_base(r)); }
    Nplus1ProvRecord* records_of(uint32_t r) const noexcept;
    uint32_t* values_of(uint32_t r) const noexcept;

    Nplus1ProvHeader* header_ = nullptr;
    char* rings_ = nullptr;
    size_t ring_bytes_ = 0;
};

}  // namespace pothos::core
