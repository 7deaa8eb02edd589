// nplus1_ring.h -- the shared window of recent statements: a fixed ring of
// NpEvent slots that any number of writers fill without a lock.
//
// A writer claims a sequence number with one atomic fetch-add and writes slot
// seq % capacity under a per-slot version (a seqlock: odd while writing,
// 2 * seq + 2 once complete). A reader copies a slot and keeps it only if the
// version was the same, even and of the expected sequence before and after.
// Eviction: the ring overwrites its oldest event; a reader that asks for an
// overwritten sequence number is told so (read returns false).
// The memory block is caller-provided (PostgreSQL shared memory in the
// extension, a plain buffer in tests); nothing here allocates or throws.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/nplus1_event.h"

namespace pothos::core {

struct NpRingSlot {
    uint64_t version;
    NpEvent ev;
};

struct NpRingHeader {
    uint64_t head;       // next sequence number to hand out
    uint32_t capacity;   // slots
    uint32_t pad;
};

class NpRing {
public:
    static size_t required_bytes(uint32_t capacity);
    // Formats mem as an empty ring.
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
