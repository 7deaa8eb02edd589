// nplus1/event.h -- one finished statement as the N+1 detector sees it: a
// plain record (no pointers), so it can live in a shared-memory ring
// (stored as an Nplus1Slot, nplus1/window.h).
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
};

struct Nplus1Event {
    uint64_t seq;         // position in the stream (the order nplus1_detect reads events in)
    uint64_t id;          // the event's identity in the window (Nplus1Window::id_of), stable
    uint64_t group;       // unit-of-work group: tag, transaction block, or client
    uint64_t queryid;     // statement fingerprint
    uint64_t param_hash;  // hash of bound parameters or literal constants; 0 = unknown
    int64_t ts_us;        // start of the (top-level) statement, microseconds
    int64_t rows;         // rows returned or affected
    float exec_ms;        // execution time
    uint32_t backend;     // server process (pid)
    uint32_t userid;
    uint32_t dbid;
    uint16_t flags;       // Nplus1Flag bits
    uint16_t nesting;     // 0 for a statement sent by the client
    uint32_t pad;
};

}  // namespace pothos::core
