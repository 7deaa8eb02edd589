// events.h -- where feature modules (slow-query log, N+1 detector, index
// advisor, ...) observe statements. The hooks call these after the statement
// store has been updated; each module adds one call in events.cpp. They run
// on every tracked statement: a module's common path must allocate nothing,
// take no exclusive lock and make no syscall beyond reading the clock.
// C-style code only (it runs between PostgreSQL frames; see guard.h).
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "executor/execdesc.h"
#include "nodes/parsenodes.h"
#include "parser/parse_node.h"
#include "utils/queryjumble.h"
}

#include "core/stats/counters.h"

namespace pothos::ext {

struct StmtEvent {
    core::StatKey key;
    const QueryDesc* qd;   // the executor's query; NULL for a utility statement
    const char* source;    // statement text: [location, location + length) of source
    int location;
    int length;
    CmdType operation;     // CMD_SELECT, CMD_INSERT, ..., CMD_UTILITY
    double exec_ms;
    int64 rows;
    int nesting_level;     // 0 for a statement sent by the client
    // statement_timestamp() when its executor started (exec_track.h: by
    // ExecutorEnd it may be the next statement's), read once for every module
    TimestampTz start;
};

// An executor is about to start (before any ExecutorStart hook below ours
// and the executor itself: modules may set instrument_options).
void events_executor_start(QueryDesc* qd, int eflags);

// A tracked executor has started (its statement will most likely reach
// events_statement_end): modules may prefetch what they will touch then.
void events_tracked_start(uint64 queryid);

// A tracked top-level executor is about to run (each ExecutorRun call): a
// module may return a receiver for its rows to go through on their way to
// qd->dest (at most one module; nullptr: none).
DestReceiver* events_executor_run(QueryDesc* qd);

// A statement that was tracked finished successfully.
void events_statement_end(const StmtEvent& ev);

// A statement was parsed and analysed (called for every tracked statement,
// whether or not the store knows it already).
void events_parsed(ParseState* pstate, Query* query, JumbleState* jstate);

// A tracked statement the statement store does not know yet was parsed
// (its first execution): off the common path.
void events_new_statement(Query* query);

// A statement with a query id was parsed but is not tracked (a module that
// remembers what it saw of a statement's parses must not trust it now).
void events_parsed_untracked(Query* query);

}  // namespace pothos::ext
