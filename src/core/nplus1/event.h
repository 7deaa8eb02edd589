// nplus1/event.h -- one finished statement as the N+1 detector sees it: a
// plain record (no pointers), so it can live in a shared-memory ring
// (stored as an Nplus1Slot, nplus1/window.h).
//
// Groups: the unit-of-work group of a statement is a hash whose two low bits
// say what made it (Nplus1GroupKind). A tag or a transaction block is one
// request; a client (database, user, host, application_name) is every
// request its pool sends, one after the other, untagged: there, only
// evidence that survives independent requests running side by side counts
// (the keys' provenance, one backend's consecutive statements).
#pragma once

#include <cstdint>

namespace pothos::core {

// What the glue knows about a statement's shape (from its Query tree).
enum Nplus1Flag : uint16_t {
    NPLUS1_SELECT = 1u << 0,       // a SELECT
    NPLUS1_DML = 1u << 1,          // INSERT, UPDATE or DELETE
    NPLUS1_KEY_LOOKUP = 1u << 2,   // one table, only column = value (param/constant) predicates
    NPLUS1_SINGLE_ROW = 1u << 3,   // DML that writes at most one row per execution (one VALUES row or a key predicate)
    NPLUS1_HAS_TABLE = 1u << 4,    // reads at least one table (SELECT 1 does not)
    NPLUS1_SKIP_LOCKED = 1u << 5,  // FOR UPDATE/SHARE ... SKIP LOCKED (a worker queue)
    NPLUS1_BATCHED = 1u << 6,      // = ANY(array) or IN list: already batched
    NPLUS1_LIMIT1 = 1u << 7,       // LIMIT 1
    NPLUS1_HASHED = 1u << 8,       // the values of its rows were hashed (Nplus1Event::prov names the record)
    NPLUS1_UNIT_START = 1u << 9,   // its backend's previous statement was of another group, or long before
};

enum class Nplus1GroupKind : uint8_t { Unit = 0, Tag = 1, Block = 2, Client = 3 };

// A group hash marked with its kind.
constexpr uint64_t nplus1_group(uint64_t hash, Nplus1GroupKind kind) noexcept {
    return (hash & ~uint64_t(3)) | uint64_t(kind);
}
constexpr Nplus1GroupKind nplus1_group_kind(uint64_t group) noexcept { return Nplus1GroupKind(group & 3); }

struct Nplus1Event {
    uint64_t seq;         // position in the stream (the order nplus1_detect reads events in)
    uint64_t id;          // the event's identity in the window (Nplus1Window::id_of), stable
    uint64_t group;       // unit-of-work group: tag, transaction block, or client
    uint64_t queryid;     // statement fingerprint
    uint64_t param_hash;  // hash of bound parameters or literal constants; 0 = unknown
    int64_t ts_us;        // start of the (top-level) statement, microseconds
    int64_t rows;         // rows returned or affected
    float exec_ms;        // execution time
    uint32_t backend;     // the backend (its ring of the window)
    uint32_t userid;
    uint32_t dbid;
    uint16_t flags;       // Nplus1Flag bits
    uint16_t nesting;     // 0 for a statement sent by the client
    // A lookup's or a row write's key values (nplus1/value_hash.h; 0: none):
    // the first two of its key predicates (or, for an INSERT, its first two
    // values).
    uint32_t keys[2];
    uint32_t prov;        // NPLUS1_HASHED: low 32 bits of its provenance record's number
};

}  // namespace pothos::core
