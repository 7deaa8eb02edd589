// slow/capture.cpp -- see slow/capture.h.
//
// The slow path runs in a memory context of its own, deleted before
// returning: EXPLAIN of the executed plan (no instrumentation: the estimates
// of the plan that ran), the plan rules over its JSON form, parameter values
// and the push into the ring (slow/shmem.h).
#include "extension/common/pg.h"

extern "C" {
#include "commands/explain.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

#include "core/common/hot.h"
#include "extension/analysis/query_facts_pg.h"
#include "extension/analysis/rules_bridge.h"
#include "extension/security/scrub_bridge.h"
#include "extension/slow/capture.h"
#include "extension/slow/guc.h"
#include "extension/slow/shmem.h"
#include "extension/stats/store.h"

namespace pothos::ext {

namespace {

constexpr int kParamValueCap = 128;  // bytes per parameter value

// Without capture_params a plan is kept with the constants of its
// expressions replaced (value_scrub.h): a custom plan shows the values bound
// to the statement's parameters, any plan the literals of its text. NULL
// when that fails: a plan is never kept with values it must not hold.
char* scrub_plan(char* plan) {
    if (plan == NULL || slow_guc_capture_params) return plan;
    return scrub_plan_text(plan);
}

char* explain_plan(const QueryDesc* qd, ExplainFormat format) {
    ExplainState* es = NewExplainState();
    es->format = format;
    es->costs = true;
    es->verbose = false;
    ExplainBeginOutput(es);
    ExplainPrintPlan(es, const_cast<QueryDesc*>(qd));
    ExplainEndOutput(es);
    if (es->str->len > 0 && es->str->data[es->str->len - 1] == '\n') es->str->data[--es->str->len] = '\0';
    // Without the "Query" group of EXPLAIN, JSON output is `[ "Plan": ... ]`:
    // make it the object the parser expects.
    if (format == EXPLAIN_FORMAT_JSON && es->str->len > 1) {
        es->str->data[0] = '{';
        es->str->data[es->str->len - 1] = '}';
    }
    return es->str->data;
}

void capture_one(const StmtEvent& ev) {
    TimestampTz now = GetCurrentTimestamp();
    char* text = store_text_of(ev.key, false);
    char* plan = NULL;
    char* recs = NULL;
    char* params = NULL;
    const QueryDesc* qd = ev.qd;
    if (qd != NULL && qd->planstate != NULL && slow_guc_capture_plans) {
        plan = scrub_plan(explain_plan(qd, EXPLAIN_FORMAT_TEXT));
        char* json = scrub_plan(explain_plan(qd, EXPLAIN_FORMAT_JSON));
        if (json) recs = rules_plan_recommendations(json, relations_of_rtable(qd->plannedstmt->rtable));
    }
    if (qd != NULL && slow_guc_capture_params && qd->params != NULL && qd->params->numParams > 0)
        params = BuildParamLogString(qd->params, NULL, kParamValueCap);

    core::SlowInput in;
    memset(&in.head, 0, sizeof in.head);
    in.head.occurred_at = now;
    in.head.duration_ms = ev.exec_ms;
    in.head.queryid = ev.key.queryid;
    in.head.userid = ev.key.userid;
    in.head.dbid = ev.key.dbid;
    in.head.rows = ev.rows;
    in.head.encoding = GetDatabaseEncoding();
    if (application_name) {
        int n = pg_mbcliplen(application_name, strlen(application_name), sizeof in.head.application_name - 1);
        memcpy(in.head.application_name, application_name, n);
        in.head.application_name[n] = '\0';
    }
    int tlen = text ? (int) strlen(text) : 0;
    in.text = text;
    in.text_len = text ? pg_mbcliplen(text, tlen, slow_text_cap()) : 0;
    if (plan) {
        in.plan = plan;
        in.plan_len = pg_mbcliplen(plan, strlen(plan), kSlowPlanCap);
    }
    if (params) {
        in.params = params;
        in.params_len = pg_mbcliplen(params, strlen(params), kSlowParamsCap);
    }
    if (recs) {
        in.recommendations = recs;
        in.recommendations_len = pg_mbcliplen(recs, strlen(recs), core::SlowRing::kRecsCap);
    }
    slow_push(in);

    if (slow_guc_log) {
        char* first = NULL;
        if (recs) {
            char* nl = strchr(recs, '\n');
            first = nl ? pnstrdup(recs, nl - recs) : recs;
        }
        ereport(LOG, (errmsg("pothos_perf: slow query (%.3f ms, queryid " INT64_FORMAT ", rows " INT64_FORMAT
                             "): %s; recommendation: %s",
                             ev.exec_ms, (int64) ev.key.queryid, (int64) ev.rows, text ? text : "?",
                             first ? first : "none"),
                      errhidestmt(true), errhidecontext(true)));
    }
}

}  // namespace

POTHOS_COLD void slow_capture(const StmtEvent& ev) {
    if (!slow_ready()) return;
    MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "pothos_perf slow query", ALLOCSET_SMALL_SIZES);
    MemoryContext old = MemoryContextSwitchTo(cxt);
    PG_TRY();
    {
        capture_one(ev);
    }
    PG_FINALLY();
    {
        MemoryContextSwitchTo(old);
        MemoryContextDelete(cxt);
    }
    PG_END_TRY();
}

}  // namespace pothos::ext
