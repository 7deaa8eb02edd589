// hooks.cpp -- times every statement and records it in the store.
//
// Each hook calls the previous hook (or the standard function) and keeps the
// nesting level right on error (PG_TRY/PG_CATCH, re-throwing). The common
// path allocates nothing and takes no exclusive lock: executor accounting is
// the executor's own totaltime, kept in exec_track's fixed slots, and the
// store updates a known statement's entry under the entry's spinlock alone.
// When a tracked executor starts, what its end will write is prefetched.
// Everything called from here is C-style code that throws no C++ exception.
#include "extension/common/pg.h"

extern "C" {
#include "access/parallel.h"
#include "access/xact.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "optimizer/planner.h"
#include "parser/analyze.h"
#include "tcop/utility.h"
#include "utils/memutils.h"
#include "utils/queryjumble.h"
}

#include "core/common/hot.h"
#include "extension/hooks/events.h"
#include "extension/hooks/exec_track.h"
#include "extension/stats/guc.h"
#include "extension/hooks/hooks.h"
#include "extension/stats/normalize_text.h"
#include "extension/stats/store.h"

namespace pothos::ext {

using core::IoUsage;
using core::StatKey;

namespace {

post_parse_analyze_hook_type prev_post_parse_analyze = nullptr;
planner_hook_type prev_planner = nullptr;
ExecutorStart_hook_type prev_ExecutorStart = nullptr;
ExecutorRun_hook_type prev_ExecutorRun = nullptr;
ExecutorFinish_hook_type prev_ExecutorFinish = nullptr;
ExecutorEnd_hook_type prev_ExecutorEnd = nullptr;
ProcessUtility_hook_type prev_ProcessUtility = nullptr;

// Depth of executor (and tracked utility) calls, and of planner calls.
int exec_nested_level = 0;
int plan_nested_level = 0;

// How deep the current statement is: a statement parsed or run while another
// is being planned (a function evaluated by constant folding) is nested too.
inline int nesting() { return exec_nested_level + plan_nested_level; }

inline bool tracking(int level) {
    return stats_guc_enabled && store_ready() && !IsParallelWorker() &&
           (stats_guc_track == TRACK_ALL || (stats_guc_track == TRACK_TOP && level == 0));
}

inline StatKey make_key(uint64 queryid) {
    StatKey k;
    k.userid = GetUserId();
    k.dbid = MyDatabaseId;
    k.queryid = queryid;
    k.toplevel = nesting() == 0 ? 1 : 0;
    k.pad = 0;
    return k;
}

inline StmtText text_of(const QueryDesc* qd) {
    return StmtText{qd->sourceText, qd->plannedstmt->stmt_location, qd->plannedstmt->stmt_len};
}

// The id core computes for a utility statement (a hash of its text), for
// when another module has cleared pstmt->queryId before we see it.
POTHOS_COLD uint64 utility_query_id(const char* source, int location, int length) {
    const char* sql = CleanQuerytext(source, &location, &length);
    uint64 id = DatumGetUInt64(hash_any_extended((const unsigned char*) sql, length, 0));
    return id == 0 ? 2 : id;
}

POTHOS_HOT void pp_post_parse_analyze(ParseState* pstate, Query* query, JumbleState* jstate) {
    if (prev_post_parse_analyze) prev_post_parse_analyze(pstate, query, jstate);
    if (query->utilityStmt || query->queryId == 0) return;
    if (POTHOS_UNLIKELY(!tracking(nesting()))) {
        events_parsed_untracked(query);
        return;
    }
    events_parsed(pstate, query, jstate);
    // The text is stored now, normalized with the constants the jumbler
    // located; a text first seen when a statement finishes has its literals
    // replaced by the store (a statement parsed while not tracked).
    StatKey key = make_key(query->queryId);
    if (store_has(key)) return;
    events_new_statement(query);
    int len = 0;
    char* text = normalized_text(pstate->p_sourcetext, query->stmt_location, query->stmt_len, jstate,
                                 stats_guc_max_query_text, &len);
    store_add_normalized(key, text, len);
    pfree(text);
}

inline PlannedStmt* call_planner(Query* parse, const char* query_string, int cursor_options,
                                 ParamListInfo params) {
    if (prev_planner) return prev_planner(parse, query_string, cursor_options, params);
    return standard_planner(parse, query_string, cursor_options, params);
}

// A planning that ended in an error: counted for its statement (the caller
// re-throws).
POTHOS_COLD void planning_failed(const Query* parse, const char* query_string) {
    plan_nested_level--;
    store_error(make_key(parse->queryId), StmtText{query_string, parse->stmt_location, parse->stmt_len});
}

// Plans one nesting level down and counts an error that escapes the planner.
// (A function that calls setjmp is never inlined: hot, so that it lies with
// the rest of the per-statement path.)
POTHOS_HOT PlannedStmt* plan_nested(Query* parse, const char* query_string, int cursor_options,
                                    ParamListInfo params) {
    PlannedStmt* volatile result = nullptr;
    plan_nested_level++;
    PG_TRY();
    {
        result = call_planner(parse, query_string, cursor_options, params);
    }
    PG_CATCH();
    {
        planning_failed(parse, query_string);
        PG_RE_THROW();
    }
    PG_END_TRY();
    plan_nested_level--;
    return result;
}

// pothos_perf.track_planning: the planning is timed and recorded.
POTHOS_COLD PlannedStmt* plan_timed(Query* parse, const char* query_string, int cursor_options,
                                    ParamListInfo params) {
    UsageMark mark;
    usage_mark(&mark);
    PlannedStmt* result = plan_nested(parse, query_string, cursor_options, params);
    IoUsage io;
    double ms = usage_since(&mark, &io);
    store_plan(make_key(parse->queryId), StmtText{query_string, parse->stmt_location, parse->stmt_len}, ms, io);
    return result;
}

POTHOS_HOT PlannedStmt* pp_planner(Query* parse, const char* query_string, int cursor_options,
                                   ParamListInfo params) {
    int level = nesting();
    if (parse->queryId == 0 || query_string == nullptr || !tracking(level))
        return call_planner(parse, query_string, cursor_options, params);
    if (stats_guc_track_planning) return plan_timed(parse, query_string, cursor_options, params);
    return plan_nested(parse, query_string, cursor_options, params);
}

// An executor start or step that ended in an error: counted for its statement (the
// caller re-throws).
POTHOS_COLD void executor_failed(const QueryDesc* qd) {
    if (qd->plannedstmt->queryId != 0 && tracking(nesting()))
        store_error(make_key(qd->plannedstmt->queryId), text_of(qd));
}

// More executors alive at once than exec_track has slots: let the executor
// time this one.
POTHOS_COLD void time_with_instrumentation(QueryDesc* qd) {
    MemoryContext old = MemoryContextSwitchTo(qd->estate->es_query_cxt);
    qd->totaltime = InstrAlloc(1, INSTRUMENT_ALL, false);
    MemoryContextSwitchTo(old);
}

POTHOS_HOT void pp_ExecutorStart(QueryDesc* qd, int eflags) {
    events_executor_start(qd, eflags);
    uint64 queryid = qd->plannedstmt->queryId;
    if (queryid == 0 || !tracking(nesting())) {
        if (prev_ExecutorStart)
            prev_ExecutorStart(qd, eflags);
        else
            standard_ExecutorStart(qd, eflags);
        return;
    }
    // What ExecutorEnd will write: fetched while the executor starts and runs.
    store_prefetch(make_key(queryid));
    events_tracked_start(queryid);
    PG_TRY();
    {
        if (prev_ExecutorStart)
            prev_ExecutorStart(qd, eflags);
        else
            standard_ExecutorStart(qd, eflags);
    }
    PG_CATCH();
    {
        executor_failed(qd);
        PG_RE_THROW();
    }
    PG_END_TRY();
    if (POTHOS_UNLIKELY(!exec_track_begin(qd))) time_with_instrumentation(qd);
}

// Runs one ExecutorRun or ExecutorFinish step of qd one nesting level down
// and counts an error that escapes it. Its time and usage are summed by the
// executor in qd->totaltime (see exec_track.h). The callable only forwards
// its arguments (trivially destructible, so the longjmp of an error crosses
// no destructor).
template <typename Step>
POTHOS_HOT void run_step(QueryDesc* qd, Step step) {
    exec_nested_level++;
    PG_TRY();
    {
        step();
    }
    PG_CATCH();
    {
        exec_nested_level--;
        executor_failed(qd);
        PG_RE_THROW();
    }
    PG_END_TRY();
    exec_nested_level--;
}

inline void call_executor_run(QueryDesc* qd, ScanDirection direction, uint64 count, bool execute_once) {
    run_step(qd, [qd, direction, count, execute_once] {
        if (prev_ExecutorRun)
            prev_ExecutorRun(qd, direction, count, execute_once);
        else
            standard_ExecutorRun(qd, direction, count, execute_once);
    });
}

// Runs qd with its rows going through rows (events_executor_run) on their
// way to its own receiver, which is put back afterwards, also on error.
POTHOS_COLD void run_through(QueryDesc* qd, DestReceiver* rows, ScanDirection direction, uint64 count,
                             bool execute_once) {
    DestReceiver* const own = qd->dest;
    qd->dest = rows;
    PG_TRY();
    {
        call_executor_run(qd, direction, count, execute_once);
    }
    PG_CATCH();
    {
        qd->dest = own;
        PG_RE_THROW();
    }
    PG_END_TRY();
    qd->dest = own;
}

POTHOS_HOT void pp_ExecutorRun(QueryDesc* qd, ScanDirection direction, uint64 count, bool execute_once) {
    DestReceiver* rows = nesting() == 0 && tracking(0) ? events_executor_run(qd) : nullptr;
    if (POTHOS_UNLIKELY(rows != nullptr)) {
        run_through(qd, rows, direction, count, execute_once);
        return;
    }
    call_executor_run(qd, direction, count, execute_once);
}

POTHOS_HOT void pp_ExecutorFinish(QueryDesc* qd) {
    // A plain SELECT's finish step has nothing to time (exec_track.h): with
    // our own totaltime, the executor is not asked to time it. (An error in
    // it ends the query; its slot is then released at abort.)
    Instrumentation* untimed = nullptr;
    if (exec_track_owns(qd->totaltime) && exec_finish_is_empty(qd)) {
        untimed = qd->totaltime;
        qd->totaltime = nullptr;
    }
    run_step(qd, [qd] {
        if (prev_ExecutorFinish)
            prev_ExecutorFinish(qd);
        else
            standard_ExecutorFinish(qd);
    });
    if (untimed) qd->totaltime = untimed;
}

POTHOS_HOT void pp_ExecutorEnd(QueryDesc* qd) {
    uint64 queryid = qd->plannedstmt->queryId;
    Instrumentation* total = qd->totaltime;
    ExecTrack* slot = exec_track_of(qd);
    if (queryid != 0 && total != nullptr && tracking(nesting())) {
        StmtEvent ev;
        ev.key = make_key(queryid);
        ev.qd = qd;
        ev.source = qd->sourceText;
        ev.location = qd->plannedstmt->stmt_location;
        ev.length = qd->plannedstmt->stmt_len;
        ev.operation = qd->operation;
        ev.rows = (int64) qd->estate->es_processed;
        ev.nesting_level = nesting();
        ev.start = exec_track_start(slot);
        InstrEndLoop(total);
        ev.exec_ms = total->total * 1000.0;
        IoUsage io = to_io(total->bufusage, total->walusage);
        store_exec(ev.key, text_of(qd), ev.exec_ms, ev.rows, io, ev.start);
        events_statement_end(ev);
    }
    if (prev_ExecutorEnd)
        prev_ExecutorEnd(qd);
    else
        standard_ExecutorEnd(qd);
    exec_track_end(slot);
}

// EXECUTE is charged to the prepared statement by the executor hooks;
// PREPARE and DEALLOCATE are not tracked (as in pg_stat_statements).
inline bool handled_utility(Node* stmt) {
    return !IsA(stmt, ExecuteStmt) && !IsA(stmt, PrepareStmt) && !IsA(stmt, DeallocateStmt);
}

void call_process_utility(PlannedStmt* pstmt, const char* query_string, bool read_only_tree,
                          ProcessUtilityContext context, ParamListInfo params, QueryEnvironment* env,
                          DestReceiver* dest, QueryCompletion* qc) {
    if (prev_ProcessUtility)
        prev_ProcessUtility(pstmt, query_string, read_only_tree, context, params, env, dest, qc);
    else
        standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, env, dest, qc);
}

POTHOS_HOT void pp_ProcessUtility(PlannedStmt* pstmt, const char* query_string, bool read_only_tree,
                       ProcessUtilityContext context, ParamListInfo params, QueryEnvironment* env,
                       DestReceiver* dest, QueryCompletion* qc) {
    if (!stats_guc_track_utility || !handled_utility(pstmt->utilityStmt) || !tracking(nesting())) {
        call_process_utility(pstmt, query_string, read_only_tree, context, params, env, dest, qc);
        return;
    }
    uint64 queryid = pstmt->queryId;
    if (queryid == 0) queryid = utility_query_id(query_string, pstmt->stmt_location, pstmt->stmt_len);
    StatKey key = make_key(queryid);
    StmtText text{query_string, pstmt->stmt_location, pstmt->stmt_len};
    UsageMark mark;
    usage_mark(&mark);
    exec_nested_level++;
    PG_TRY();
    {
        call_process_utility(pstmt, query_string, read_only_tree, context, params, env, dest, qc);
    }
    PG_CATCH();
    {
        exec_nested_level--;
        store_error(key, text);
        PG_RE_THROW();
    }
    PG_END_TRY();
    exec_nested_level--;
    IoUsage io;
    double ms = usage_since(&mark, &io);
    int64 rows = 0;
    if (qc && (qc->commandTag == CMDTAG_COPY || qc->commandTag == CMDTAG_FETCH ||
               qc->commandTag == CMDTAG_SELECT || qc->commandTag == CMDTAG_REFRESH_MATERIALIZED_VIEW))
        rows = (int64) qc->nprocessed;
    TimestampTz start = GetCurrentStatementStartTimestamp();
    store_exec(key, text, ms, rows, io, start);
    StmtEvent ev;
    ev.key = key;
    ev.qd = nullptr;
    ev.source = query_string;
    ev.location = pstmt->stmt_location;
    ev.length = pstmt->stmt_len;
    ev.operation = CMD_UTILITY;
    ev.exec_ms = ms;
    ev.rows = rows;
    ev.nesting_level = nesting();
    ev.start = start;
    events_statement_end(ev);
}

POTHOS_HOT void on_xact_event(XactEvent event, void*) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
        exec_track_abort(InvalidSubTransactionId);
}

void on_subxact_event(SubXactEvent event, SubTransactionId my_subid, SubTransactionId, void*) {
    if (event == SUBXACT_EVENT_ABORT_SUB) exec_track_abort(my_subid);
}

}  // namespace

void install_hooks() {
    prev_post_parse_analyze = post_parse_analyze_hook;
    post_parse_analyze_hook = pp_post_parse_analyze;
    prev_planner = planner_hook;
    planner_hook = pp_planner;
    prev_ExecutorStart = ExecutorStart_hook;
    ExecutorStart_hook = pp_ExecutorStart;
    prev_ExecutorRun = ExecutorRun_hook;
    ExecutorRun_hook = pp_ExecutorRun;
    prev_ExecutorFinish = ExecutorFinish_hook;
    ExecutorFinish_hook = pp_ExecutorFinish;
    prev_ExecutorEnd = ExecutorEnd_hook;
    ExecutorEnd_hook = pp_ExecutorEnd;
    prev_ProcessUtility = ProcessUtility_hook;
    ProcessUtility_hook = pp_ProcessUtility;
    RegisterXactCallback(on_xact_event, nullptr);
    RegisterSubXactCallback(on_subxact_event, nullptr);
}

}  // namespace pothos::ext
