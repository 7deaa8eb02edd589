// fn_slow_queries.cpp -- pothos_perf.get_slow_queries() (behind the
// slow_queries view) and pothos_perf.slow_queries_reset().
//
// A copy of the ring (slow/shmem.h) is aggregated with no lock held. Texts,
// plans and recommendations of other roles' statements are shown only to
// superusers and members of pg_read_all_stats; parameter values only with
// include_params, and then only to superusers and to the role that ran the
// statement.
#include "extension/common/pg.h"

extern "C" {
#include "miscadmin.h"
}

#include <cmath>

#include "extension/common/datum_util.h"
#include "extension/common/guard.h"
#include "extension/common/sql_result.h"
#include "extension/slow/aggregate_bridge.h"
#include "extension/slow/shmem.h"
#include "extension/stats/store.h"
#include "extension/stats/text_encoding.h"

namespace pothos::ext {
namespace {

constexpr int kCols = 13;

// Texts of another database: in this one's encoding.
void convert_texts(SlowGroupC* g) {
    g->query = text_to_server(g->query, (int) strlen(g->query), g->encoding);
    g->plan = text_to_server(g->plan, (int) strlen(g->plan), g->encoding);
    for (char** r = g->recs; *r; r++) *r = text_to_server(*r, (int) strlen(*r), g->encoding);
}

void put_group(ReturnSetInfo* rsinfo, const SlowGroupC* g, bool visible, bool params_visible) {
    ResultRow<kCols> row;
    row.add_int64_if(visible, (int64) g->queryid);
    row.add_text(visible ? g->query : "<insufficient privilege>");
    row.add_float8(g->max_ms).add_timestamptz(g->last).add_int64(g->count).add_float8(g->avg_ms);
    if (visible)
        row.add_datum(text_array_datum(g->recs));
    else
        row.add_null();
    row.add_text(visible && g->plan[0] ? g->plan : NULL);
    row.add_text(params_visible && g->params[0] ? g->params : NULL);
    row.add_oid(g->userid).add_oid(g->dbid).add_int64(g->rows).add_text(g->application_name);
    row.put(rsinfo);
}

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

POTHOS_SQL_FUNCTION(pothos_perf_get_slow_queries) {
    require_preloaded(slow_ready() && store_ready());
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

    pothos::core::SlowRing ring = slow_snapshot();
    SlowGroupC* groups = NULL;
    int n = 0;
    CppError err;
    if (!slow_aggregate(&ring, threshold, max_rows, &groups, &n, &err)) POTHOS_RAISE_CPP_ERROR(err);
    for (int i = 0; i < n; i++) {
        SlowGroupC* g = &groups[i];
        convert_texts(g);
        put_group(rsinfo, g, see_all || g->userid == me, include_params && (is_super || g->userid == me));
    }
    return (Datum) 0;
}

POTHOS_SQL_FUNCTION(pothos_perf_slow_queries_reset) {
    require_preloaded(slow_ready() && store_ready());
    PG_RETURN_INT64(slow_reset());
}
