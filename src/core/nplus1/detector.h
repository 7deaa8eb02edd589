// nplus1/detector.h -- finds N+1 loops and their relatives in a sequence of
// statements of one unit-of-work group (one request tag, one transaction
// block, or one client: event.h), in stream order.
//
//  * n_plus_one, by provenance: a child execution -- a top-level key lookup
//    (one table, column = value predicates; not = ANY, IN lists or SKIP
//    LOCKED) -- is a loop iteration of the latest parent execution (a
//    top-level SELECT that returned at least min_repeats rows, whose rows'
//    values were hashed: nplus1/provenance.h) that holds one of its key
//    values, that ended before it started, and whose loop of this child is
//    still going (its previous iteration, or the parent itself, ended at most
//    idle_gap before); the latest such on the lookup's own connection comes
//    first (another request may have read the same rows meanwhile); a
//    lookup's own key echoed in its rows (todos of list 3
//    carry list_id 3) makes it no parent of the next lookup of that key by
//    the same statement. Nothing else links a child to a parent: not the order
//    of statements, not the rows returned, so lookups of independent requests
//    running side by side are not taken for a loop, and a lookup that
//    returned rows is never the parent of its siblings unless its rows hold
//    their keys. Per parent execution and child, the iterations are one
//    occurrence (anchored on the parent execution) when they number at
//    least min_repeats; in a client group (independent requests side by
//    side, whose keys may hit a parent's values by chance) at least
//    min_repeats + 2 mu + 2 sqrt(mu) (rounded down), mu being the
//    iterations expected by chance: the child's executions with a key among
//    the parent's values in the idle_gap before the parent ran (those that
//    were no iteration of an earlier loop; one more than seen, so that what
//    was read of that idle_gap bounds the estimate), scaled to the length of
//    the loop. Keys
//    may repeat (a lookup per row of values that repeat is still an N+1; its
//    batched query takes the distinct keys). The children of one parent
//    execution (A B A B ...) are ONE occurrence: one Nplus1Finding listing up
//    to kNplus1MaxChildren children in order of their first execution (the
//    first is the primary child, described by the scalar fields); more
//    children of the same parent execution give further findings.
//  * row_by_row_dml: single-row INSERT/UPDATE/DELETE repeated min_repeats
//    times: by provenance as above (the write's key values or first values
//    come from the parent's rows: the parent is named); else within one unit
//    of a tag or block group (the units of such a group are cut wherever the
//    time between the end of one statement and the start of the next exceeds
//    idle_gap), or, in a client group, as min_repeats consecutive statements
//    of one backend (nothing else in between, no pause over idle_gap).
//  * duplicate_query: a top-level SELECT on a table run min_repeats times
//    with the same parameters, none of them a loop iteration above: within
//    one unit of a tag or block group, or, in a client group, as a burst of
//    one backend: min_repeats consecutive executions of it with the same
//    parameters (other statements in between allowed) within idle_gap of
//    the first, not a batched fetch (= ANY, IN list). Independent requests
//    whose keys collide now and then never make one.
//  * server_side_loop: nested statements repeated min_repeats times inside
//    one top-level statement (a function looping); the parent is that
//    statement.
// Units and runs are reported only when the caller read everything that may
// precede them (Nplus1Config), so that the same unit is anchored on the same
// event however often it is analysed.
// No allocation: the caller passes scratch space.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/nplus1/event.h"

namespace pothos::core {

enum class Nplus1Kind : uint8_t { Nplus1 = 0, DuplicateQuery = 1, RowByRowDml = 2, ServerSideLoop = 3 };
const char* nplus1_kind_name(Nplus1Kind k) noexcept;

struct Nplus1Config {
    int min_repeats = 5;
    int64_t idle_gap_us = 500000;
    // What the caller read: every event of the group that ended at or after
    // visible_from_us, but that backends whose window came round since may
    // have lost those that ended before wrapped_from_us (INT64_MIN: none
    // lost). A unit or run that starts less than idle_gap after either may
    // have begun with a statement not read, and is not reported -- unless,
    // for wrapped_from_us, its first statement starts its backend's unit of a
    // tag or block (NPLUS1_UNIT_START: what came before on that backend was
    // another group's). A parent's background is measured no earlier.
    int64_t visible_from_us = INT64_MIN;
    int64_t wrapped_from_us = INT64_MIN;
};

// Children listed in one n_plus_one finding (and one findings-table entry).
constexpr int kNplus1MaxChildren = 4;

// One child of an n_plus_one occurrence.
struct Nplus1Child {
    uint64_t queryid;
    uint64_t first_seq;       // its first execution in the occurrence (orders the children)
    int64_t repeats;
    int64_t distinct_params;
    double time_ms;
    int64_t last_ts_us;
    uint16_t flags;
};

// One occurrence of a finding in one unit.
struct Nplus1Finding {
    Nplus1Kind kind;
    uint64_t parent_queryid;  // 0: none
    uint64_t queryid;
    uint32_t userid;
    uint32_t dbid;
    uint64_t anchor;          // id of the event the occurrence is anchored on
    int64_t anchor_ts;        // its start (ts_us): how old the anchor is
    int64_t repeats;          // executions in this occurrence
    int64_t distinct_params;  // distinct parameter hashes among them
    double time_ms;           // execution time of the repeats
    int64_t parent_rows;      // rows the parent execution returned (0: none)
    int64_t last_ts_us;       // start of the last repeat
    int32_t siblings;         // other children of the same parent execution (nchildren - 1)
    uint16_t flags;           // Nplus1Flag bits of the repeated statement
    // n_plus_one: every child of this parent execution (at most
    // kNplus1MaxChildren), children[0] being the one the scalar fields describe.
    // 0: the scalar fields describe the only child (every other kind).
    uint8_t nchildren;
    Nplus1Child children[kNplus1MaxChildren];
};

// Whether e may be a loop iteration found by provenance: a top-level key
// lookup or single-row write with a key.
bool nplus1_is_keyed_child(const Nplus1Event& e) noexcept;

// One hashed value of a parent execution: the value's hash and the
// parent's position among the events handed to nplus1_detect.
struct Nplus1ProvEntry {
    uint32_t value;
    uint32_t event;
};

// Sorts entries by (value, event) and drops repeated ones; returns how many
// are left (what nplus1_detect expects).
size_t nplus1_index_provenance(Nplus1ProvEntry* entries, size_t n) noexcept;

// Scratch space for nplus1_detect over n events, carved out of one block of
// nplus1_scratch_bytes(n) bytes (8-byte aligned) by nplus1_scratch_at.
struct Nplus1Scratch {
    uint64_t* hashes;
    int64_t* last_end;
    uint32_t* idx;
    int32_t* owner;
    int32_t* count;
    uint32_t* touched;
};
size_t nplus1_scratch_bytes(size_t n) noexcept;
Nplus1Scratch nplus1_scratch_at(void* mem, size_t n) noexcept;

// events: one group, in stream order (seq increasing); prov[0..nprov): the
// hashed values of its parent executions, indexed (nplus1_index_provenance).
// Writes at most out_cap findings to out, returns how many.
size_t nplus1_detect(const Nplus1Event* events, size_t n, const Nplus1Config& cfg, const Nplus1ProvEntry* prov,
                     size_t nprov, Nplus1Scratch scratch, Nplus1Finding* out, size_t out_cap) noexcept;

}  // namespace pothos::core
