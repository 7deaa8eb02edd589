// fn_analyze_performance.cpp -- pothos_perf.analyze_performance(query,
// allow_writes, search_path): EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of one statement,
// run in a subtransaction that is always rolled back, and the plan rules
// (misestimates, sorts spilling to disk, sequential scans over large tables)
// over the result. Statements that write (INSERT, UPDATE, DELETE, data-
// modifying WITH, SELECT ... FOR UPDATE/SHARE) are refused unless
// allow_writes. A statement with $n parameters is planned generically and
// not run (no execution time, no actual rows). The statement is resolved,
// planned and run with the caller's search_path; the function's own work
// runs with the path pinned.
#include "extension/common/pg.h"

extern "C" {
#include "access/xlog.h"
#include "utils/fmgrprotos.h"
}

#include "extension/analysis/query_facts_pg.h"
#include "extension/analysis/rules_bridge.h"
#include "extension/analysis/statement.h"
#include "extension/common/datum_util.h"
#include "extension/common/guard.h"
#include "extension/common/sql_result.h"
#include "extension/common/subxact.h"
#include "extension/security/security.h"

namespace pothos::ext {
namespace {

constexpr int kCols = 11;

const char* write_kind(const Query* q) {
    switch (q->commandType) {
        case CMD_INSERT: return "INSERT";
        case CMD_UPDATE: return "UPDATE";
        case CMD_DELETE: return "DELETE";
        default: break;
    }
    if (q->hasModifyingCTE) return "a data-modifying WITH";
    if (q->rowMarks != NIL) return "SELECT ... FOR UPDATE/SHARE";
    return NULL;
}

struct RunArgs {
    AnalysedStmt* st;
    const char* sql;
    const char* path;  // the caller's search_path
    bool allow_writes;
    bool generic;  // $n parameters: planned generically, not run
    char* json;
};

// Without allow_writes the statement runs in a read-only state: a locking
// clause anywhere in it, or a function that writes, fails as it would in a
// READ ONLY transaction. (The subtransaction's rollback ends the state.)
void run_explain_analyze(void* p) {
    RunArgs* a = (RunArgs*) p;
    ReadOnlyScope read_only;
    if (!a->allow_writes) read_only_enter(&read_only);
    instr_time planning;
    PlannedStmt* ps = plan_copy(a->st->rewritten, a->sql, &planning, a->path);
    a->json = explain_json(ps, a->sql, !a->generic, &planning, a->path);
    if (!a->allow_writes) read_only_leave(&read_only);
}

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

POTHOS_SQL_FUNCTION(pothos_perf_analyze_performance) {
    char* sql = analysis_text_arg(fcinfo, 0, "analyze_performance");
    bool allow_writes = PG_ARGISNULL(1) ? false : PG_GETARG_BOOL(1);
    char* path = caller_path_arg(fcinfo, 2, "analyze_performance");
    TupleDesc desc = result_row_desc(fcinfo, kCols, "analyze_performance");
    // A statement with $n parameters (as the statements view shows it) has
    // no values to run with: its generic plan is shown, nothing runs.
    AnalysedStmt st = analyse_single(sql, "analyze_performance", true, path);
    bool generic = st.nparams > 0;
    const char* writes = write_kind(st.rewritten);
    if (writes == NULL) writes = write_kind(st.query);
    if (writes != NULL && !generic && RecoveryInProgress())
        ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                        errmsg("analyze_performance: the statement writes (%s) and this server is a standby", writes),
                        errdetail("A standby is in recovery: it runs no statement that writes, even one rolled back."),
                        errhint("Run it on the primary.")));
    if (writes != NULL && !allow_writes && !generic)
        ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                        errmsg("analyze_performance: the statement writes (%s) and allow_writes is false", writes),
                        errhint("Pass allow_writes => true to run it in a subtransaction that is rolled back.")));
    List* relations = relations_of_rtable(st.query->rtable);
    // Rolled back whatever happens; errors are raised after the rollback.
    RunArgs run{&st, sql, path, allow_writes, generic, NULL};
    subxact_try(run_explain_analyze, &run, NULL, SUBXACT_ROLLBACK | SUBXACT_RAISE);

    PerformanceResult r;
    CppError err;
    if (!rules_performance(run.json, relations, &r, &err)) POTHOS_RAISE_CPP_ERROR(err);
    ResultRow<kCols> row;
    row.add_float8_if(r.has_exec, r.execution_ms).add_float8_if(r.has_plan_time, r.planning_ms).add_float8(r.cost);
    row.add_float8_if(r.has_actual, r.act_rows).add_float8(r.est_rows).add_int64((int64) r.hits).add_int64((int64) r.reads).add_bool(r.optimized);
    row.add_datum(text_array_datum(r.recommendations));
    row.add_datum(DirectFunctionCall1(json_in, CStringGetDatum(run.json)));
    row.add_datum(text_array_datum(r.rules));
    PG_RETURN_DATUM(row.tuple(desc));
}
