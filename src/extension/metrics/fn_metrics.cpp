// metrics/fn_metrics.cpp -- the C part of pothos_perf.metrics() (the SQL
// function in 060_health_metrics.sql gathers the connection counts):
//   _metrics_text(...)      core::render_metrics over the statement store
#include "extension/common/pg.h"

extern "C" {
#include "utils/builtins.h"
}

#include "extension/advisor/shmem.h"
#include "extension/common/guard.h"
#include "extension/common/sql_result.h"
#include "extension/metrics/render_bridge.h"
#include "extension/slow/guc.h"
#include "extension/slow/shmem.h"
#include "extension/stats/store.h"

using namespace pothos::ext;

POTHOS_SQL_FUNCTION(pothos_perf_metrics_text) {
    require_preloaded(slow_ready() && store_ready());
    MetricsArgs a;
    memset(&a, 0, sizeof a);
    a.has_active = !PG_ARGISNULL(0);
    if (a.has_active) a.active = PG_GETARG_INT64(0);
    a.has_idle = !PG_ARGISNULL(1);
    if (a.has_idle) a.idle = PG_GETARG_INT64(1);
    a.has_nplus1 = !PG_ARGISNULL(2);
    if (a.has_nplus1) a.nplus1_findings = PG_GETARG_INT64(2);
    a.has_nplus1_saved = !PG_ARGISNULL(3);
    if (a.has_nplus1_saved) a.nplus1_saved = PG_GETARG_INT64(3);
    a.has_recommendations = advisor_last_recommendations(&a.recommendations);
    a.slow_threshold_ms = (double) slow_guc_threshold_ms;
    // The model labels come from the texts (in this database's encoding).
    a.rows = store_snapshot(InvalidOid, true, &a.nrows);

    char* out = NULL;
    CppError err;
    if (!metrics_render(&a, &out, &err)) POTHOS_RAISE_CPP_ERROR(err);
    PG_RETURN_TEXT_P(cstring_to_text(out));
}
