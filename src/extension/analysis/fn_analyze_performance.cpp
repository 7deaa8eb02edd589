// fn_analyze_performance.cpp -- pothos_perf.analyze_performance(query,
// allow_writes): EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of one statement,
// run in a subtransaction that is always rolled back, and the plan rules
// (misestimates, sorts spilling to disk, sequential scans over large tables)
// over the result. Statements that write (INSERT, UPDATE, DELETE, data-
// modifying WITH, SELECT ... FOR UPDATE/SHARE) are refused unless
// allow_writes. A statement with $n parameters is planned generically and
// not run (no execution time, no actual rows).
#include "extension/common/pg.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

PG_FUNCTION_INFO_V1(pothos_perf_analyze_performance);
}

#include <stdexcept>
#include <string>

#include "core/analysis/explain_json.h"
#include "core/analysis/query_rules.h"
#include "extension/analysis/statement.h"
#include "extension/common/datum_util.h"
#include "extension/common/guard.h"
#include "extension/common/palloc_copy.h"
#include "extension/analysis/query_facts_pg.h"
#include "extension/security/security.h"
#include "extension/common/sql_result.h"
#include "extension/common/subxact.h"

namespace pothos::ext {
namespace {

constexpr int kCols = 11;

struct ResultC {
    double execution_ms, planning_ms, cost, est_rows, act_rows, hits, reads;
    bool has_exec, has_plan_time, has_actual;
    bool optimized;
    char** recommendations;
    char** rules;
};

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
    PlannedStmt* ps = plan_copy(a->st->rewritten, a->sql, &planning);
    a->json = explain_json(ps, a->sql, !a->generic, &planning);
    if (!a->allow_writes) read_only_leave(&read_only);
}

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

extern "C" Datum pothos_perf_analyze_performance(PG_FUNCTION_ARGS) {
    char* sql = analysis_text_arg(fcinfo, 0, "analyze_performance");
    bool allow_writes = PG_ARGISNULL(1) ? false : PG_GETARG_BOOL(1);
    TupleDesc desc = result_row_desc(fcinfo, kCols, "analyze_performance");
    // A statement with $n parameters (as the statements view shows it) has
    // no values to run with: its generic plan is shown, nothing runs.
    AnalysedStmt st = analyse_single(sql, "analyze_performance", true);
    bool generic = st.nparams > 0;
    const char* writes = write_kind(st.rewritten);
    if (writes == NULL) writes = write_kind(st.query);
    if (writes != NULL && !allow_writes && !generic)
        ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                        errmsg("analyze_performance: the statement writes (%s) and allow_writes is false", writes),
                        errhint("Pass allow_writes => true to run it in a subtransaction that is rolled back.")));
    List* relations = relations_of_rtable(st.query->rtable);
    // Rolled back whatever happens; errors are raised after the rollback.
    RunArgs run{&st, sql, allow_writes, generic, NULL};
    subxact_try(run_explain_analyze, &run, NULL, SUBXACT_ROLLBACK | SUBXACT_RAISE);
    char* json = run.json;

    ResultC r;
    memset(&r, 0, sizeof r);
    CppError err;
    bool ok = cpp_call(&err, [&] {
        std::string why;
        std::optional<pothos::core::ExplainSummary> sum = pothos::core::parse_explain_json(json, &why);
        if (!sum) throw std::runtime_error("cannot read the EXPLAIN output: " + why);
        pothos::core::QueryFacts facts;
        add_core_relations(relations, facts);
        facts.plan = sum->plan;
        pothos::core::PerformanceAnalysis pa = pothos::core::analyze_performance(facts);
        r.has_exec = sum->execution_time_ms.has_value();
        r.execution_ms = sum->execution_time_ms.value_or(0);
        r.has_plan_time = sum->planning_time_ms.has_value();
        r.planning_ms = sum->planning_time_ms.value_or(0);
        r.cost = sum->plan.total_cost;
        r.est_rows = sum->estimated_rows;
        r.has_actual = sum->actual_rows.has_value();
        r.act_rows = sum->actual_rows.value_or(0);
        r.hits = sum->shared_hit_blocks;
        r.reads = sum->shared_read_blocks;
        r.optimized = pa.is_optimized;
        if (pa.is_optimized && pa.recommendations.empty()) pa.recommendations.emplace_back(pothos::core::kWellOptimized);
        std::vector<std::string> rules;
        for (const pothos::core::Finding& f : pa.findings) rules.push_back(f.rule_id);
        r.recommendations = palloc_copy(pa.recommendations);
        r.rules = palloc_copy(rules);
    });
    if (!ok) POTHOS_RAISE_CPP_ERROR(err);

    Datum v[kCols];
    bool nulls[kCols];
    memset(nulls, 0, sizeof nulls);
    v[0] = Float8GetDatum(r.execution_ms);
    nulls[0] = !r.has_exec;
    v[1] = Float8GetDatum(r.planning_ms);
    nulls[1] = !r.has_plan_time;
    v[2] = Float8GetDatum(r.cost);
    v[3] = Float8GetDatum(r.act_rows);
    nulls[3] = !r.has_actual;
    v[4] = Float8GetDatum(r.est_rows);
    v[5] = Int64GetDatum((int64) r.hits);
    v[6] = Int64GetDatum((int64) r.reads);
    v[7] = BoolGetDatum(r.optimized);
    v[8] = text_array_datum(r.recommendations);
    v[9] = DirectFunctionCall1(json_in, CStringGetDatum(json));
    v[10] = text_array_datum(r.rules);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nulls)));
}
