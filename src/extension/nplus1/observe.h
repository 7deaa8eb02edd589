// nplus1/observe.h -- feeds finished statements to the N+1 detector.
//
// Common path, per tracked statement: look up the statement's shape flags
// (per-backend cache), hash its bound parameters or, without any, its text
// (in the same pass that looks for a comment that may hold a tag), find
// its unit-of-work group (request tag from a sqlcommenter comment or
// pothos_perf.request_id; else the transaction block; else the client:
// database, user, client address, application_name), append one event to the
// backend's own ring of the window (no lock, no atomic read-modify-write) and
// update a few per-backend counters. Only when the backend's unit may hold a
// finding (a SELECT that returned at least min_repeats rows, a statement
// repeated min_repeats times with the same parameters, as DML or nested) is
// the group's part of the window analysed: at the end of the backend's unit (tag or block change,
// idle gap), idle_gap after the trigger if the unit goes on, or when the
// backend's ring has come half round since the trigger; findings are then
// published under the findings lock.
#pragma once

#include "extension/hooks/events.h"
#include "extension/nplus1/guc.h"
#include "extension/nplus1/shape.h"
#include "extension/nplus1/shmem.h"

namespace pothos::ext {

void nplus1_statement_end(const StmtEvent& ev);

// A tracked executor of queryid starts: asks the CPU to fetch what
// nplus1_statement_end will read and write for it (the backend's detector state,
// the statement's shape and repeat slots, the ring slot it will fill), so
// that the fetches overlap the statement's execution.
void nplus1_prefetch(uint64 queryid);

// A statement was parsed (source text src): its shape is noted if not
// known yet, and whether its text may hold a tag (nplus1/shape.h).
inline void nplus1_parsed(const Query* query, const JumbleState* jstate, const char* src) {
    if (query->queryId == 0) return;
    if (g_nplus1_hot.enabled && nplus1_ready())
        nplus1_note_parsed(query, jstate, src);
    else
        nplus1_note_unsearched(query->queryId);
}

// Analyses every group in the window (for readers of the view, so that units
// of backends gone idle are not left unanalysed). Publishes what it finds.
void nplus1_sweep();

}  // namespace pothos::ext
