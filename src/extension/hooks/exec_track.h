// exec_track.h -- per-backend accounting of running executors without
// allocation. Each tracked executor gets a slot from a fixed table, which
// keeps the start of its statement as it was when the executor started:
// statement_timestamp() has moved on by the time ExecutorEnd runs when a
// portal outlives its protocol message (in a transaction block, an unnamed
// portal of the extended protocol ends when the next statement binds, so
// the clock then shows the next statement's start). Unless another module
// has already given the executor a totaltime, the slot's Instrumentation
// becomes it: the executor itself then sums the time and the buffer/WAL
// usage of its ExecutorRun/ExecutorFinish calls (InstrStartNode/
// InstrStopNode in PostgreSQL's own code, which pg_stat_statements and
// auto_explain use the same way), so our hooks add no work of their own
// around each call. Slots of executors that died in an error are released
// when their (sub)transaction aborts. ExecutorFinish of a plain SELECT is
// not timed when the totaltime is ours (exec_finish_is_empty).
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "executor/execdesc.h"
#include "executor/instrument.h"
#include "portability/instr_time.h"
}

#include "core/stats/counters.h"

namespace pothos::ext {

// Takes a slot for qd, noting its statement's start, and gives qd the
// slot's totaltime unless it has one. False when all slots are busy and qd
// has no totaltime (the caller then allocates one).
bool exec_track_begin(QueryDesc* qd);
// A tracked executor's slot.
struct ExecTrack;
// qd's slot; nullptr if it has none (not tracked, or no slot was free).
// Looked up before ExecutorEnd, which clears qd->totaltime.
ExecTrack* exec_track_of(const QueryDesc* qd);
// The start of t's statement when its executor started; for nullptr, the
// current statement's start.
TimestampTz exec_track_start(const ExecTrack* t);
// Releases t (nullptr: nothing to release).
void exec_track_end(ExecTrack* t);
// Whether totaltime is one of our slots (no other module reads it).
bool exec_track_owns(const Instrumentation* totaltime);

// Whether qd's ExecutorFinish has nothing to time: a SELECT without a
// data-modifying WITH queues no AFTER trigger and has no auxiliary
// ModifyTable to run, so the step's time and usage are nil. Skipping the
// executor's timing of it saves two clock reads and two buffer/WAL counter
// snapshots per statement.
inline bool exec_finish_is_empty(const QueryDesc* qd) {
    return qd->operation == CMD_SELECT && !qd->plannedstmt->hasModifyingCTE;
}
void exec_track_abort(SubTransactionId from);  // InvalidSubTransactionId: all

// A point in time and in the backend's usage counters (planning and utility
// statements, which have no executor).
struct UsageMark {
    instr_time t0;
    BufferUsage buf0;
    WalUsage wal0;
};
void usage_mark(UsageMark* m);
// Time (ms) and usage since m.
double usage_since(const UsageMark* m, core::IoUsage* io);
core::IoUsage to_io(const BufferUsage& b, const WalUsage& w);

}  // namespace pothos::ext
