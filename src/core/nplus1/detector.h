// nplus1/detector.h -- finds N+1 loops and their relatives in a sequence of
// statements of one unit-of-work group (one request tag, one transaction
// block, or one client), in stream order.
//
// Units: the sequence is cut wherever the time between the end of one
// statement and the start of the next exceeds idle_gap.
// Within a unit, per fingerprint with at least min_repeats executions:
//  * n_plus_one: a top-level key lookup (one table, column = value
//    predicates) with mostly distinct parameters (distinct >= half the
//    executions) that follows a different top-level SELECT (the parent) which
//    returned at least min_repeats rows. The executions are split into bursts,
//    one per execution of the parent fingerprint: each burst with min_repeats
//    mostly distinct lookups is one occurrence, anchored on that parent
//    execution. The children of one parent execution (A B A B ... for two
//    lookups per parent row) are ONE occurrence: one Nplus1Finding listing up to
//    kNplus1MaxChildren children in order of their first execution (the first is
//    the primary child, described by the scalar fields); more children of the
//    same parent execution give further findings of kNplus1MaxChildren each.
//  * n_plus_one by rate (weak per-burst evidence): over the whole sequence
//    (the group's part of the window, across idle gaps), a child fingerprint
//    for which no burst qualified, that is a top-level key lookup run at
//    least min_repeats times with mostly distinct parameters (over all its
//    executions) on at least two backends (pooled connections), whose
//    executions after the parent's anchoring executions (those that returned
//    at least min_repeats rows; at least rate_min_parents of them) number
//    between rate_min_ratio and rate_max_ratio times the rows those parent
//    executions returned. The parent is the candidate with the ratio closest
//    to 1. Each anchoring parent execution followed by at least two of the
//    child's executions (before the parent's next execution) is one
//    occurrence, anchored on that parent execution, as for bursts.
//  * duplicate_query: a top-level SELECT on a table run min_repeats times with
//    the same parameters (cacheable).
//  * row_by_row_dml: single-row INSERT/UPDATE/DELETE repeated min_repeats times.
//  * server_side_loop: nested statements repeated min_repeats times inside one
//    top-level statement (a function looping); the parent is that statement.
// Not reported: lookups without a parent that returned enough rows, batched
// fetches (= ANY, IN lists), SKIP LOCKED queues, statements without a table.
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
    // The rate rule (see above): parent executions it needs, and the range of
    // child executions per parent row it accepts.
    int rate_min_parents = 3;
    double rate_min_ratio = 0.5;
    double rate_max_ratio = 2.0;
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
    bool by_rate;             // n_plus_one found by the rate rule
    // n_plus_one: every child of this parent execution (at most
    // kNplus1MaxChildren), children[0] being the one the scalar fields describe.
    // 0: the scalar fields describe the only child (every other kind).
    uint8_t nchildren;
    Nplus1Child children[kNplus1MaxChildren];
};

// Scratch space for nplus1_detect over n events: n uint32 and n uint64.
struct Nplus1Scratch {
    uint32_t* idx;
    uint64_t* hashes;
};

// events: one group, in stream order (seq increasing). Writes at most out_cap
// findings to out, returns how many.
size_t nplus1_detect(const Nplus1Event* events, size_t n, const Nplus1Config& cfg, Nplus1Scratch scratch,
                 Nplus1Finding* out, size_t out_cap) noexcept;

}  // namespace pothos::core
