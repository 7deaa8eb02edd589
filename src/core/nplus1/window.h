// nplus1/window.h -- the N+1 detector's window of recent statements: one
// fixed ring of events per backend, all in one caller-provided block
// (PostgreSQL shared memory in the extension, a plain buffer in tests).
//
// A backend writes only its own ring (ring r is the backend whose PGPROC
// number is r), so appending an event takes no lock and no atomic
// read-modify-write, and touches only lines that no other backend writes:
// the event's slot and the ring's head. The head is published with a
// release store after the slot is written; a reader (any backend analysing a
// unit, whose statements may come from several backends) copies a slot and
// keeps it only if the head, read again afterwards, shows that the writer
// has not come round to that slot meanwhile (the seqlock pattern, with the
// head as the version).
// Eviction: each ring overwrites its own oldest event. A slot is one 64-byte
// cache line, aligned; a ring's capacity is a power of two.
// Event identity: a ring's sequence numbers start at 0 and never restart
// (also when another backend takes over the PGPROC slot), so
// id_of(ring, seq) names one event for good; an event's backend is its ring.
// Nothing here allocates or throws.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/hot.h"
#include "core/nplus1/event.h"

namespace pothos::core {

struct alignas(64) Nplus1Slot {
    uint64_t group;
    uint64_t queryid;
    uint64_t param_hash;
    int64_t ts_us;
    int32_t rows;  // saturated
    float exec_ms;
    uint32_t userid;
    uint32_t dbid;
    uint32_t keys[2];
    uint32_t prov;
    uint16_t flags;
    uint16_t nesting;
};
static_assert(sizeof(Nplus1Slot) == 64, "one cache line per statement");

// A ring's head: the sequence number its next event gets. A line of its own,
// written by the ring's backend only.
struct alignas(64) Nplus1RingHead {
    uint64_t head;
};
static_assert(sizeof(Nplus1RingHead) == 64, "one cache line per head");

struct alignas(64) Nplus1WindowHeader {
    uint32_t rings;
    uint32_t capacity;  // slots per ring (a power of two)
};

// What a backend needs to append to its ring (kept in its own memory).
struct Nplus1RingWriter {
    Nplus1RingHead* head = nullptr;  // nullptr: no ring
    Nplus1Slot* slots = nullptr;
    uint64_t mask = 0;
    uint32_t ring = 0;

    bool valid() const noexcept { return head != nullptr; }
    // Sequence number the next event gets.
    uint64_t next() const noexcept { return __atomic_load_n(&head->head, __ATOMIC_RELAXED); }
    // The slot the next event is written into.
    const Nplus1Slot* next_slot() const noexcept { return &slots[next() & mask]; }

    // Appending an event is two steps, the caller filling the slot in place
    // (no event copied): open() returns the next slot, publish() makes what
    // was written into it readable and returns its sequence number. Between
    // the two the slot is being rewritten (readers skip it).
    Nplus1Slot* open() const noexcept {
        // The previous head store comes before the stores into this slot (a
        // reader that sees them sees that head, and so knows the slot is
        // being rewritten).
        __atomic_thread_fence(__ATOMIC_RELEASE);
        return &slots[next() & mask];
    }
    uint64_t publish() const noexcept {
        uint64_t seq = next();
        __atomic_store_n(&head->head, seq + 1, __ATOMIC_RELEASE);
        return seq;
    }
    // A slot's row count: saturated to its 32 bits.
    static int32_t slot_rows(int64_t rows) noexcept {
        if (POTHOS_LIKELY(uint64_t(rows) <= uint64_t(INT32_MAX))) return int32_t(rows);
        return rows < 0 ? 0 : INT32_MAX;
    }
};

class Nplus1Window {
public:
    static constexpr int kSeqBits = 44;  // id_of: ring in the high 20 bits
    static constexpr uint32_t kMaxRings = 1u << (64 - kSeqBits);

    // Slots per ring for a requested capacity (a power of two, at least 16).
    static uint32_t slots_for(uint32_t capacity) noexcept;
    static size_t required_bytes(uint32_t rings, uint32_t capacity) noexcept;
    // Formats mem as rings empty rings of slots_for(capacity) slots
    // (rings is capped at kMaxRings).
    static Nplus1Window create(void* mem, uint32_t rings, uint32_t capacity) noexcept;
    // Uses a window formatted by create.
    static Nplus1Window attach(void* mem) noexcept;

    Nplus1Window() = default;

    uint32_t rings() const noexcept { return header_->rings; }
    uint32_t capacity() const noexcept { return header_->capacity; }
    // The writer of ring r (an invalid one if r is not a ring).
    Nplus1RingWriter writer(uint32_t r) const noexcept;
    // Sequence number the next event of ring r gets (all events ever written).
    uint64_t head(uint32_t r) const noexcept;
    // Oldest sequence number of ring r that read may return: the slot of
    // head - capacity is the next the writer rewrites, so it never counts.
    uint64_t oldest(uint32_t r) const noexcept {
        uint64_t h = head(r);
        return h >= capacity() ? h - capacity() + 1 : 0;
    }
    // Copies event seq of ring r into *out (with out->id = id_of(r, seq),
    // out->seq = seq, out->backend = r); false if it is overwritten, being
    // overwritten, or not yet written.
    bool read(uint32_t r, uint64_t seq, Nplus1Event* out) const noexcept;
    // Events written to all rings since the window was created.
    uint64_t total() const noexcept;

    static uint64_t id_of(uint32_t r, uint64_t seq) noexcept {
        return (uint64_t(r) << kSeqBits) | (seq & ((uint64_t(1) << kSeqBits) - 1));
    }

private:
    Nplus1RingHead* head_of(uint32_t r) const noexcept;
    Nplus1Slot* slots_of(uint32_t r) const noexcept;

    Nplus1WindowHeader* header_ = nullptr;
    char* rings_ = nullptr;  // ring r: its head, then its slots
};

}  // namespace pothos::core
