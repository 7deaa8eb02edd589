// nplus1_ring.h -- the shared window of recent statements: a fixed ring of
// event slots that any number of writers fill without a lock.
//
// A writer claims a sequence number with one atomic fetch-add and writes slot
// seq mod capacity under a per-slot version (a seqlock: odd while writing,
// 2 * seq + 2 once complete). A reader copies a slot and keeps it only if the
// version was the same, even and of the expected sequence before and after.
// Eviction: the ring overwrites its oldest event; a reader that asks for an
// overwritten sequence number is told so (read returns false).
// Every statement writes one slot, so a slot is one 64-byte cache line,
// aligned: the event is stored packed (no sequence number, which the version
// holds; rows saturated at INT32_MAX) and unpacked into an NpEvent by read.
// The capacity is rounded up to a power of two (the slot of a sequence number
// is then a mask, not a division).
// The memory block is caller-provided (PostgreSQL shared memory in the
// extension, a plain buffer in tests); nothing here allocates or throws.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/nplus1_event.h"

namespace pothos::core {

struct alignas(64) NpRingSlot {
    uint64_t version;
    uint64_t group;
    uint64_t queryid;
    uint64_t param_hash;
    int64_t ts_us;
    int32_t rows;  // saturated
    float exec_ms;
    uint32_t backend;
    uint32_t userid;
    uint32_t dbid;
    uint16_t flags;
    uint16_t nesting;
};
static_assert(sizeof(NpRingSlot) == 64, "one cache line per statement");

struct NpRingHeader {
    uint64_t head;       // next sequence number to hand out
    uint32_t capacity;   // slots (a power of two)
    uint32_t pad;
};

class NpRing {
public:
    // Slots a ring asked for capacity events has (capacity rounded up to a
    // power of two).
    static uint32_t slots_for(uint32_t capacity);
    static size_t required_bytes(uint32_t capacity);
    // Formats mem as an empty ring of slots_for(capacity) slots.
    static NpRing create(void* mem, uint32_t capacity) noexcept;
    // Uses a ring formatted by create.
    static NpRing attach(void* mem) noexcept;

    NpRing() = default;

    // Appends ev (its seq is set here) and returns its sequence number.
    uint64_t push(const NpEvent& ev) noexcept;
    // Copies event seq into *out; false if it is overwritten, not yet
    // complete, or not yet written.
    bool read(uint64_t seq, NpEvent* out) const noexcept;
    // Sequence number the next push will get.
    uint64_t head() const noexcept;
    uint32_t capacity() const noexcept { return header_->capacity; }
    // Oldest sequence number that may still be readable.
    uint64_t oldest() const noexcept {
        uint64_t h = head();
        return h > capacity() ? h - capacity() : 0;
    }

private:
    NpRingHeader* header_ = nullptr;
    NpRingSlot* slots_ = nullptr;
};

}  // namespace pothos::core
