// analysis/statement.cpp -- see analysis/statement.h.
#include "extension/common/pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/instrument.h"
#include "parser/analyze.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
}

#include "extension/analysis/statement.h"
#include "extension/security/security.h"

namespace pothos::ext {

namespace {

const char* statement_kind_name(Node* stmt) {
    switch (nodeTag(stmt)) {
        case T_SelectStmt: return "SELECT";
        case T_InsertStmt: return "INSERT";
        case T_UpdateStmt: return "UPDATE";
        case T_DeleteStmt: return "DELETE";
        default: return NULL;
    }
}

// Syntax errors point into the analysed text, not into the calling query.
struct ParseErrorContext {
    const char* sql;
    const char* fn;
};

void parse_error_callback(void* arg) {
    ParseErrorContext* c = (ParseErrorContext*) arg;
    int pos = geterrposition();
    if (pos > 0) {
        errposition(0);
        internalerrposition(pos);
        internalerrquery(c->sql);
    }
    errcontext("statement analysed by %s", c->fn);
}

}  // namespace

AnalysedStmt analyse_single_inner(const char* sql, const char* fn, bool allow_params);

char* analysis_text_arg(FunctionCallInfo fcinfo, int argno, const char* fn) {
    if (PG_ARGISNULL(argno))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: query must not be NULL", fn)));
    text* t = PG_GETARG_TEXT_PP(argno);
    if (VARSIZE_ANY_EXHDR(t) > kMaxAnalyzedText)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("%s: query is too long (%d bytes; at most %d)", fn, (int) VARSIZE_ANY_EXHDR(t),
                               kMaxAnalyzedText)));
    return text_to_cstring(t);
}

AnalysedStmt analyse_single(const char* sql, const char* fn, bool allow_params, const char* path) {
    ParseErrorContext pc{sql, fn};
    ErrorContextCallback cb;
    cb.callback = parse_error_callback;
    cb.arg = &pc;
    cb.previous = error_context_stack;
    error_context_stack = &cb;
    CallerPath caller;
    caller_path_enter(path, &caller);
    AnalysedStmt out = analyse_single_inner(sql, fn, allow_params);
    caller_path_leave(&caller);
    error_context_stack = cb.previous;
    return out;
}

AnalysedStmt analyse_single_inner(const char* sql, const char* fn, bool allow_params) {
    List* raw = pg_parse_query(sql);
    if (list_length(raw) == 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: query is empty", fn)));
    if (list_length(raw) > 1)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: query must be exactly one statement, got %d", fn, list_length(raw))));
    AnalysedStmt out;
    out.raw = linitial_node(RawStmt, raw);
    if (statement_kind_name(out.raw->stmt) == NULL)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%s analyses SELECT, INSERT, UPDATE and DELETE statements, not %s", fn,
                               CreateCommandName(out.raw->stmt))));
    out.nparams = 0;
    if (allow_params) {
        Oid* types = NULL;
        out.query = parse_analyze_varparams((RawStmt*) copyObjectImpl(out.raw), sql, &types, &out.nparams, NULL);
        for (int i = 0; i < out.nparams; i++)
            if (types[i] == InvalidOid || types[i] == UNKNOWNOID)
                ereport(ERROR, (errcode(ERRCODE_INDETERMINATE_DATATYPE),
                                errmsg("%s: could not determine the data type of parameter $%d", fn, i + 1)));
    } else {
        out.query = parse_analyze_fixedparams((RawStmt*) copyObjectImpl(out.raw), sql, NULL, 0, NULL);
    }
    List* rewritten = pg_rewrite_query((Query*) copyObjectImpl(out.query));
    if (list_length(rewritten) != 1 || linitial_node(Query, rewritten)->commandType == CMD_UTILITY)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%s: the statement is rewritten into %d statements by rules; analyse those instead",
                               fn, list_length(rewritten))));
    out.rewritten = linitial_node(Query, rewritten);
    return out;
}

PlannedStmt* plan_copy(Query* q, const char* sql, instr_time* planning, const char* path) {
    CallerPath caller;
    caller_path_enter(path, &caller);
    instr_time start;
    INSTR_TIME_SET_CURRENT(start);
    PlannedStmt* ps = pg_plan_query((Query*) copyObjectImpl(q), sql, CURSOR_OPT_PARALLEL_OK, NULL);
    caller_path_leave(&caller);
    if (planning) {
        INSTR_TIME_SET_CURRENT(*planning);
        INSTR_TIME_SUBTRACT(*planning, start);
    }
    return ps;
}

char* explain_json(PlannedStmt* ps, const char* sql, bool analyze, const instr_time* planning, const char* path) {
    CallerPath caller;
    caller_path_enter(path, &caller);
    ExplainState* es = NewExplainState();
    es->format = EXPLAIN_FORMAT_JSON;
    es->analyze = analyze;
    es->buffers = analyze;
    es->timing = analyze;
    es->summary = analyze;
    es->costs = true;
    ExplainBeginOutput(es);
    ExplainOnePlan(ps, NULL, es, sql, NULL, NULL, analyze ? planning : NULL, NULL);
    ExplainEndOutput(es);
    caller_path_leave(&caller);
    return es->str->data;
}

}  // namespace pothos::ext
