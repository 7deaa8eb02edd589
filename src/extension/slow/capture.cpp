// slow/capture.cpp -- see slow/capture.h.
//
// The slow path runs in a memory context of its own, deleted before
// returning: EXPLAIN of the executed plan (no instrumentation: the estimates
// of the plan that ran), the plan rules over its JSON form, parameter values
// and the push into the ring under its exclusive lock.
#include "extension/common/pg.h"

extern "C" {
#include "commands/explain.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

#include <string>

#include "core/analysis/explain_json.h"
#include "core/analysis/query_rules.h"
#include "core/security/value_scrub.h"
#include "extension/common/guard.h"
#include "extension/slow/guc.h"
#include "extension/stats/guc.h"
#include "extension/common/palloc_copy.h"
#include "extension/analysis/query_facts_pg.h"
#include "core/common/hot.h"
#include "extension/slow/capture.h"
#include "extension/stats/store.h"

namespace pothos::ext {

namespace {

struct SlowShared {
    LWLock* lock;
    core::RateWindow rate;  // statements per second for health()
};

SlowShared* g_shared = nullptr;
core::SlowRing g_ring;

const char kShmemName[] = "pothos_perf slow queries";
const char kTrancheName[] = "pothos_perf_slow";
constexpr uint32 kPlanCap = 8192;
constexpr uint32 kParamsCap = 1024;
constexpr int kParamValueCap = 128;  // bytes per parameter value

uint32 text_cap() { return (uint32) Min(stats_guc_max_query_text, 4096); }

Size shmem_size() {
    return MAXALIGN(sizeof(SlowShared)) +
           core::SlowRing::required_bytes((uint32) slow_guc_max_queries, text_cap(), kPlanCap, kParamsCap);
}

// The normalized text kept by the statement store (NULL if not there).
char* stored_text(const core::StatKey& key) {
    char* text = NULL;
    if (!store_ready()) return NULL;
    LWLockAcquire(store_lock(), LW_SHARED);
    int32 slot = store_table().find(key);
    if (slot >= 0) {
        core::StatEntry* e = store_table().entry(slot);
        text = pnstrdup(e->text(), e->text_len);
    }
    LWLockRelease(store_lock());
    return text;
}

// Without capture_params a plan is kept with the constants of its
// expressions replaced (value_scrub.h): a custom plan shows the values bound
// to the statement's parameters, any plan the literals of its text. NULL
// when that fails: a plan is never kept with values it must not hold.
char* scrub_plan(char* plan) {
    if (plan == NULL || slow_guc_capture_params) return plan;
    char* out = NULL;
    CppError err;
    if (!cpp_call(&err, [&] { out = palloc_copy(core::scrub_plan_values(plan)); })) return NULL;
    return out;
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

// The plan rules (and the index suggestion of seq_scan_filter) over the
// executed plan, '\n'-separated; NULL when none fired.
char* recommend(const char* json, List* relations) {
    char* out = NULL;
    CppError err;
    bool ok = cpp_call(&err, [&] {
        std::optional<core::ExplainSummary> sum = core::parse_explain_json(json);
        if (!sum) return;
        core::QueryFacts facts;
        add_core_relations(relations, facts);
        facts.plan = sum->plan;
        std::string joined;
        core::QueryAnalysis q = core::run_rule("seq_scan_filter", facts, "");
        for (const std::string& s : q.improvements) joined += s + "\n";
        core::PerformanceAnalysis p = core::analyze_performance(facts);
        for (const std::string& s : p.recommendations) joined += s + "\n";
        if (joined.empty()) return;
        size_t n = joined.size() - 1;
        out = (char*) palloc_extended(n + 1, MCXT_ALLOC_NO_OOM);
        if (!out) throw std::bad_alloc();
        memcpy(out, joined.data(), n);
        out[n] = '\0';
    });
    if (!ok) return NULL;  // recommendations are a bonus: never fail the statement
    return out;
}

void capture_one(const StmtEvent& ev) {
    TimestampTz now = GetCurrentTimestamp();
    char* text = stored_text(ev.key);
    char* plan = NULL;
    char* recs = NULL;
    char* params = NULL;
    const QueryDesc* qd = ev.qd;
    if (qd != NULL && qd->planstate != NULL && slow_guc_capture_plans) {
        plan = scrub_plan(explain_plan(qd, EXPLAIN_FORMAT_TEXT));
        char* json = scrub_plan(explain_plan(qd, EXPLAIN_FORMAT_JSON));
        if (json) recs = recommend(json, relations_of_rtable(qd->plannedstmt->rtable));
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
    in.text_len = text ? pg_mbcliplen(text, tlen, text_cap()) : 0;
    if (plan) {
        in.plan = plan;
        in.plan_len = pg_mbcliplen(plan, strlen(plan), kPlanCap);
    }
    if (params) {
        in.params = params;
        in.params_len = pg_mbcliplen(params, strlen(params), kParamsCap);
    }
    if (recs) {
        in.recommendations = recs;
        in.recommendations_len = pg_mbcliplen(recs, strlen(recs), core::SlowRing::kRecsCap);
    }
    LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
    g_ring.push(in);
    LWLockRelease(g_shared->lock);

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

void slow_shmem_request() {
    RequestAddinShmemSpace(shmem_size());
    RequestNamedLWLockTranche(kTrancheName, 1);
}

void slow_shmem_startup() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    char* base = (char*) ShmemInitStruct(kShmemName, shmem_size(), &found);
    g_shared = (SlowShared*) base;
    void* ring_mem = base + MAXALIGN(sizeof(SlowShared));
    if (!found) {
        g_shared->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
        g_shared->rate.clear();
        g_ring = core::SlowRing::create(ring_mem, (uint32) slow_guc_max_queries, text_cap(), kPlanCap,
                                        kParamsCap);
    } else {
        g_ring = core::SlowRing::attach(ring_mem);
    }
    LWLockRelease(AddinShmemInitLock);
}

bool slow_ready() { return g_shared != nullptr && g_ring.valid(); }

void slow_require_ready() {
    if (!slow_ready() || !store_ready())
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("pothos_perf must be loaded via shared_preload_libraries"),
                        errhint("Add pothos_perf to shared_preload_libraries and restart the server.")));
}
core::SlowRing& slow_ring() { return g_ring; }
LWLock* slow_lock() { return g_shared->lock; }
core::RateWindow& slow_rate_window() { return g_shared->rate; }

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
