// fn_slow_queries.cpp -- pothos_perf.get_slow_queries() (behind the
// slow_queries view) and pothos_perf.slow_queries_reset().
//
// The ring is copied under its shared lock into backend memory and
// aggregated there with no lock held. Texts, plans and recommendations of
// other roles' statements are shown only to superusers and members of
// pg_read_all_stats; parameter values only with include_params, and then only
// to superusers and to the role that ran the statement.
#include "extension/common/pg.h"

extern "C" {
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(pothos_perf_get_slow_queries);
PG_FUNCTION_INFO_V1(pothos_perf_slow_queries_reset);
}

#include <cmath>

#include "core/slow/ring.h"
#include "extension/common/datum_util.h"
#include "extension/common/guard.h"
#include "extension/common/palloc_copy.h"
#include "extension/slow/capture.h"
#include "extension/common/sql_result.h"
#include "extension/stats/text_encoding.h"

namespace pothos::ext {
namespace {

constexpr int kCols = 13;

struct GroupC {
    Oid userid, dbid;
    uint64 queryid;
    int encoding;  // of query, plan and recs
    char* query;
    char* application_name;
    double max_ms, avg_ms;
    int64 count, rows;
    TimestampTz last;
    char* plan;    // "" when none
    char* params;  // "" when none
    char** recs;   // NULL-terminated
};

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

extern "C" Datum pothos_perf_get_slow_queries(PG_FUNCTION_ARGS) {
    slow_require_ready();
    double threshold = PG_ARGISNULL(0) ? 0.0 : PG_GETARG_FLOAT8(0);
    int max_rows = PG_ARGISNULL(1) ? 50 : PG_GETARG_INT32(1);
    bool include_params = PG_ARGISNULL(2) ? false : PG_GETARG_BOOL(2);
    if (std::isnan(threshold))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("threshold_ms must be a number")));
    if (max_rows < 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("max_rows must not be negative")));
    Oid me = GetUserId();
    bool is_super = superuser();
    bool see_all = can_read_all_stats();
    ReturnSetInfo* rsinfo = begin_result_set(fcinfo, kCols, "get_slow_queries");

    // Copy the ring (header and records) under the shared lock.
    pothos::core::SlowRing& ring = slow_ring();
    const pothos::core::SlowRingHeader& h = ring.header();
    Size bytes = pothos::core::SlowRing::required_bytes(h.capacity, h.text_cap, h.plan_cap, h.params_cap);
    void* copy = palloc_extended(bytes, MCXT_ALLOC_HUGE);
    LWLockAcquire(slow_lock(), LW_SHARED);
    memcpy(copy, &h, bytes);
    LWLockRelease(slow_lock());

    GroupC* groups = NULL;
    int ngroups = 0;
    CppError err;
    bool ok = cpp_call(&err, [&] {
        pothos::core::SlowRing local = pothos::core::SlowRing::attach(copy);
        std::vector<pothos::core::SlowGroup> g = pothos::core::aggregate_slow(local, threshold, (size_t) max_rows);
        groups = (GroupC*) palloc_extended(sizeof(GroupC) * (g.size() + 1), MCXT_ALLOC_NO_OOM);
        if (!groups) throw std::bad_alloc();
        for (const pothos::core::SlowGroup& s : g) {
            GroupC* c = &groups[ngroups++];
            c->userid = s.userid;
            c->dbid = s.dbid;
            c->queryid = s.queryid;
            c->encoding = s.encoding;
            c->query = palloc_copy(s.query);
            c->application_name = palloc_copy(s.application_name);
            c->max_ms = s.max_duration_ms;
            c->avg_ms = s.average_duration_ms();
            c->count = s.execution_count;
            c->rows = s.rows_of_slowest;
            c->last = s.last_occurred_at;
            c->plan = palloc_copy(s.plan);
            c->params = palloc_copy(s.params);
            c->recs = palloc_copy(s.recommendations);
        }
    });
    if (!ok) POTHOS_RAISE_CPP_ERROR(err);

    for (int i = 0; i < ngroups; i++) {
        GroupC* g = &groups[i];
        // Texts of another database: in this one's encoding.
        g->query = text_to_server(g->query, (int) strlen(g->query), g->encoding);
        g->plan = text_to_server(g->plan, (int) strlen(g->plan), g->encoding);
        for (char** r = g->recs; *r; r++) *r = text_to_server(*r, (int) strlen(*r), g->encoding);
        bool visible = see_all || g->userid == me;
        bool params_visible = include_params && (is_super || g->userid == me);
        Datum v[kCols];
        bool nulls[kCols];
        memset(nulls, 0, sizeof nulls);
        int k = 0;
        if (visible)
            v[k++] = Int64GetDatumFast((int64) g->queryid);
        else
            nulls[k++] = true;
        v[k++] = CStringGetTextDatum(visible ? g->query : "<insufficient privilege>");
        v[k++] = Float8GetDatumFast(g->max_ms);
        v[k++] = TimestampTzGetDatum(g->last);
        v[k++] = Int64GetDatumFast(g->count);
        v[k++] = Float8GetDatumFast(g->avg_ms);
        if (visible)
            v[k++] = text_array_datum(g->recs);
        else
            nulls[k++] = true;
        if (visible && g->plan[0])
            v[k++] = CStringGetTextDatum(g->plan);
        else
            nulls[k++] = true;
        if (params_visible && g->params[0])
            v[k++] = CStringGetTextDatum(g->params);
        else
            nulls[k++] = true;
        v[k++] = ObjectIdGetDatum(g->userid);
        v[k++] = ObjectIdGetDatum(g->dbid);
        v[k++] = Int64GetDatumFast(g->rows);
        v[k++] = CStringGetTextDatum(g->application_name);
        Assert(k == kCols);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
    }
    return (Datum) 0;
}

extern "C" Datum pothos_perf_slow_queries_reset(PG_FUNCTION_ARGS) {
    slow_require_ready();
    LWLockAcquire(slow_lock(), LW_EXCLUSIVE);
    int64 n = slow_ring().size();
    slow_ring().clear();
    LWLockRelease(slow_lock());
    PG_RETURN_INT64(n);
}
