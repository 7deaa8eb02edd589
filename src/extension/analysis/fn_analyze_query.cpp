// fn_analyze_query.cpp -- pothos_perf.analyze_query(query): the query rules
// (core/analysis/query_rules.h) over one statement that is parsed, analysed and
// planned, never executed. The estimated gain compares the planner's cost of
// the statement with the cost of the optimized text planned with the
// suggested B-tree indexes pretended to exist (hypo_index.h); suggestions
// the hypothetical-index facility cannot pretend (trigram, expression keys)
// do not count in it.
#include "extension/common/pg.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(pothos_perf_analyze_query);
}

#include <stdexcept>
#include <string>

#include "core/analysis/explain_json.h"
#include "core/analysis/query_rules.h"
#include "extension/analysis/statement.h"
#include "extension/common/datum_util.h"
#include "extension/common/guard.h"
#include "extension/advisor/hypo_index.h"
#include "extension/common/palloc_copy.h"
#include "extension/analysis/query_facts_pg.h"
#include "extension/common/subxact.h"

namespace pothos::ext {
namespace {

struct AnalysisC {
    char* optimized;
    char** improvements;
    char** issues;
    char** rules;
    char** suggestions;  // CREATE INDEX statements
    char** hypo_ddls;    // the ones that can be pretended
};

struct AfterArgs {
    const AnalysedStmt* st;
    const char* sql;
    const char* sql_after;
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
    for (int i = 0; i < n; i++) hs[i] = hypo_from_ddl(a->ddls[i]);
    Query* q = a->st->rewritten;
    if (strcmp(a->sql, a->sql_after) != 0) q = analyse_single(a->sql_after, "analyze_query", true).rewritten;
    hypo_activate(hs, n);
    PG_TRY();
    {
        a->cost = plan_copy(q, a->sql_after, NULL)->planTree->total_cost;
    }
    PG_FINALLY();
    {
        hypo_deactivate();
    }
    PG_END_TRY();
}

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

extern "C" Datum pothos_perf_analyze_query(PG_FUNCTION_ARGS) {
    char* sql = analysis_text_arg(fcinfo, 0, "analyze_query");
    TupleDesc desc;
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "return type must be a row type");
    AnalysedStmt st = analyse_single(sql, "analyze_query", true);
    QueryFactsC* fc = collect_query_facts(st.query, st.raw->stmt);
    PlannedStmt* ps = plan_copy(st.rewritten, sql, NULL);
    double cost_before = ps->planTree->total_cost;
    char* json = explain_json(ps, sql, false, 0);

    AnalysisC a;
    memset(&a, 0, sizeof a);
    CppError err;
    bool ok = cpp_call(&err, [&] {
        pothos::core::QueryFacts facts = to_core_facts(fc, sql);
        std::string why;
        std::optional<pothos::core::ExplainSummary> sum = pothos::core::parse_explain_json(json, &why);
        if (!sum) throw std::runtime_error("cannot read the EXPLAIN output: " + why);
        facts.plan = sum->plan;
        pothos::core::QueryAnalysis r = pothos::core::analyze_query(facts, sql);
        std::vector<std::string> rules, ddls, hypo;
        for (const pothos::core::Finding& f : r.findings) rules.push_back(f.rule_id);
        for (const pothos::core::IndexSuggestion& s : r.index_suggestions) {
            ddls.push_back(s.ddl);
            bool plain = s.method == "btree" && s.opclass.empty();
            for (const std::string& c : s.columns)
                if (!c.empty() && c[0] == '(') plain = false;
            if (plain) hypo.push_back(s.ddl);
        }
        a.optimized = palloc_copy(r.optimized_query);
        a.improvements = palloc_copy(r.improvements);
        a.issues = palloc_copy(r.potential_issues);
        a.rules = palloc_copy(rules);
        a.suggestions = palloc_copy(ddls);
        a.hypo_ddls = palloc_copy(hypo);
    });
    if (!ok) POTHOS_RAISE_CPP_ERROR(err);

    double after = cost_before;
    bool measured = false;
    if (a.hypo_ddls[0] != NULL || strcmp(a.optimized, sql) != 0) {
        AfterArgs args{&st, sql, a.optimized, a.hypo_ddls, 0};
        measured = subxact_try(plan_after, &args, NULL);
        if (measured) after = args.cost;
    }
    double gain = 0;
    if (measured && cost_before > 0) {
        gain = (cost_before - after) / cost_before * 100.0;
        if (gain < 0) gain = 0;
        if (gain > 100) gain = 100;
    }

    Datum v[9];
    bool nulls[9] = {false, false, false, false, false, false, false, false, false};
    v[0] = CStringGetTextDatum(sql);
    v[1] = CStringGetTextDatum(a.optimized);
    v[2] = text_array_datum(a.improvements);
    v[3] = text_array_datum(a.issues);
    v[4] = Float8GetDatum(gain);
    v[5] = text_array_datum(a.rules);
    v[6] = text_array_datum(a.suggestions);
    v[7] = Float8GetDatum(cost_before);
    if (measured)
        v[8] = Float8GetDatum(after);
    else
        nulls[8] = true;
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nulls)));
}
