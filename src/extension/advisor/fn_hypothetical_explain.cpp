// fn_hypothetical_explain.cpp -- pothos_perf.hypothetical_explain(query,
// index_ddl[], search_path): EXPLAIN of one statement planned with the given
// indexes pretended to exist (hypo_index.h). Nothing is executed or created.
// The statement, and the tables the indexes name, are resolved with the
// caller's search_path; the rest of the index statements and the function's
// own work with the path pinned. A NULL query or index_ddl gives no rows.
#include "extension/common/pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "parser/analyze.h"
#include "parser/parse_node.h"
#include "tcop/dest.h"
#include "tcop/tcopprot.h"
#include "executor/tstoreReceiver.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

#include "extension/advisor/hypo_index.h"
#include "extension/common/guard.h"
#include "extension/common/sql_result.h"
#include "extension/security/security.h"

using namespace pothos::ext;

namespace {

constexpr int kCols = 1;  // EXPLAIN's own: "QUERY PLAN"

HypoIndex** indexes_from_array(ArrayType* arr, const char* path, int* n) {
    Datum* elems;
    bool* nulls;
    deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
    HypoIndex** out = (HypoIndex**) palloc(sizeof(HypoIndex*) * (*n > 0 ? *n : 1));
    for (int i = 0; i < *n; i++) {
        if (nulls[i])
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("invalid hypothetical index: index_ddl must not contain NULL")));
        out[i] = hypo_from_ddl(text_to_cstring(DatumGetTextPP(elems[i])), path);
    }
    return out;
}

// One SELECT, INSERT, UPDATE or DELETE: EXPLAIN without ANALYZE runs none of them.
RawStmt* single_plannable(const char* sql) {
    List* raw = pg_parse_query(sql);
    if (list_length(raw) != 1)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("hypothetical_explain needs exactly one statement, got %d", list_length(raw))));
    RawStmt* rs = linitial_node(RawStmt, raw);
    NodeTag t = nodeTag(rs->stmt);
    if (t != T_SelectStmt && t != T_InsertStmt && t != T_UpdateStmt && t != T_DeleteStmt)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("hypothetical_explain needs a SELECT, INSERT, UPDATE or DELETE statement")));
    return rs;
}

}  // namespace

POTHOS_SQL_FUNCTION(pothos_perf_hypothetical_explain) {
    char* path = caller_path_arg(fcinfo, 2, "hypothetical_explain");
    ReturnSetInfo* rsinfo = begin_result_set(fcinfo, kCols, "hypothetical_explain", MAT_SRF_USE_EXPECTED_DESC);
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) return (Datum) 0;  // no rows, as a STRICT function gives
    char* sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
    int n = 0;
    HypoIndex** hypos = indexes_from_array(PG_GETARG_ARRAYTYPE_P(1), path, &n);
    CallerPath caller;
    caller_path_enter(path, &caller);
    RawStmt* rs = single_plannable(sql);

    ExplainStmt* es = makeNode(ExplainStmt);
    es->query = rs->stmt;
    es->options = NIL;
    RawStmt* wrap = makeNode(RawStmt);
    wrap->stmt = (Node*) es;
    wrap->stmt_location = rs->stmt_location;
    wrap->stmt_len = rs->stmt_len;
    Query* q = parse_analyze_fixedparams(wrap, sql, NULL, 0, NULL);

    DestReceiver* dest = CreateDestReceiver(DestTuplestore);
    SetTuplestoreDestReceiverParams(dest, rsinfo->setResult, rsinfo->econtext->ecxt_per_query_memory, false, NULL,
                                    NULL);
    ParseState* pstate = make_parsestate(NULL);
    pstate->p_sourcetext = sql;
    hypo_activate(hypos, n);
    PG_TRY();
    {
        ExplainQuery(pstate, (ExplainStmt*) q->utilityStmt, NULL, dest);
    }
    PG_FINALLY();
    {
        hypo_deactivate();
    }
    PG_END_TRY();
    caller_path_leave(&caller);
    dest->rDestroy(dest);
    return (Datum) 0;
}
