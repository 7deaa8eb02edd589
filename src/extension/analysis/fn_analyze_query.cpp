// fn_analyze_query.cpp -- pothos_perf.analyze_query(query, search_path): the
// query rules (core/analysis/query_rules.h) over one statement that is parsed,
// analysed and planned, never executed, its names resolved with the caller's
// search_path (the function's own work runs with the path pinned). The estimated gain compares the planner's cost of
// the statement with the cost of the optimized text planned with the
// suggested B-tree indexes pretended to exist (hypo_index.h); suggestions
// the hypothetical-index facility cannot pretend (trigram, expression keys)
// do not count in it.
#include "extension/common/pg.h"

#include "extension/advisor/hypo_index.h"
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

constexpr int kCols = 9;

struct AfterArgs {
    const AnalysedStmt* st;
    const char* sql;
    const char* sql_after;
    const char* path;  // the caller's search_path
    char** ddls;
    double cost;
};

// Plans the optimized text with the hypothetical indexes (in a
// subtransaction: an error only loses the measurement; a cancel still
// stops the call).
void plan_after(void* p) {
    AfterArgs* a = (AfterArgs*) p;
    int n = 0;
    while (a->ddls[n]) n++;
    HypoIndex** hs = (HypoIndex**) palloc(sizeof(HypoIndex*) * (n + 1));
    // (The suggested indexes name their tables schema-qualified.)
    for (int i = 0; i < n; i++) hs[i] = hypo_from_ddl(a->ddls[i], NULL);
    Query* q = a->st->rewritten;
    if (strcmp(a->sql, a->sql_after) != 0)
        q = analyse_single(a->sql_after, "analyze_query", true, a->path).rewritten;
    hypo_activate(hs, n);
    PG_TRY();
    {
        a->cost = plan_copy(q, a->sql_after, NULL, a->path)->planTree->total_cost;
    }
    PG_FINALLY();
    {
        hypo_deactivate();
    }
    PG_END_TRY();
}

// The planner's cost of the optimized text with the suggested indexes
// pretended to exist; false when it could not be measured.
bool cost_after(const AnalysedStmt* st, const char* sql, const char* path, const QueryAnalysisC* a, double* cost) {
    if (a->hypo_ddls[0] == NULL && strcmp(a->optimized, sql) == 0) return false;
    AfterArgs args{st, sql, a->optimized, path, a->hypo_ddls, 0};
    if (!subxact_try(plan_after, &args, NULL)) return false;
    *cost = args.cost;
    return true;
}

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

POTHOS_SQL_FUNCTION(pothos_perf_analyze_query) {
    char* sql = analysis_text_arg(fcinfo, 0, "analyze_query");
    char* path = caller_path_arg(fcinfo, 1, "analyze_query");
    TupleDesc desc = result_row_desc(fcinfo, kCols, "analyze_query");
    AnalysedStmt st = analyse_single(sql, "analyze_query", true, path);
    QueryFactsC* fc = collect_query_facts(st.query, st.raw->stmt);
    PlannedStmt* ps = plan_copy(st.rewritten, sql, NULL, path);
    double cost_before = ps->planTree->total_cost;
    char* json = explain_json(ps, sql, false, 0, path);

    QueryAnalysisC a;
    CppError err;
    if (!rules_query(fc, sql, json, &a, &err)) POTHOS_RAISE_CPP_ERROR(err);
    double after = cost_before;
    bool measured = cost_after(&st, sql, path, &a, &after);
    double gain = 0;
    if (measured && cost_before > 0) {
        gain = (cost_before - after) / cost_before * 100.0;
        if (gain < 0) gain = 0;
        if (gain > 100) gain = 100;
    }

    ResultRow<kCols> row;
    row.add_text(sql).add_text(a.optimized).add_datum(text_array_datum(a.improvements));
    row.add_datum(text_array_datum(a.issues)).add_float8(gain).add_datum(text_array_datum(a.rules));
    row.add_datum(text_array_datum(a.suggestions)).add_float8(cost_before).add_float8_if(measured, after);
    PG_RETURN_DATUM(row.tuple(desc));
}
