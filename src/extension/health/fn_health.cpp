// health/fn_health.cpp -- the C parts of pothos_perf.health() (the SQL
// function in 060_health_metrics.sql gathers the catalog and activity numbers
// and builds the jsonb):
//   _performance_numbers()  statement-store totals, slow executions in the
//                           last hour, statements per second (recent window)
//   _health_eval(...)       core::evaluate_health over the numbers
#include "extension/common/pg.h"

extern "C" {
#include "utils/timestamp.h"
}

#include "extension/common/datum_util.h"
#include "extension/common/guard.h"
#include "extension/common/sql_result.h"
#include "extension/health/evaluate_bridge.h"
#include "extension/slow/shmem.h"
#include "extension/stats/store.h"

using namespace pothos::ext;

namespace {

constexpr int kNumbersCols = 4;
constexpr int kEvalCols = 5;
constexpr int64 kRateWindowUs = 60LL * 1000000;
constexpr int64 kRateGapUs = 5LL * 1000000;

int64 int64_arg(FunctionCallInfo fcinfo, int k) { return PG_ARGISNULL(k) ? 0 : PG_GETARG_INT64(k); }

}  // namespace

POTHOS_SQL_FUNCTION(pothos_perf_performance_numbers) {
    require_preloaded(slow_ready() && store_ready());
    TupleDesc desc = result_row_desc(fcinfo, kNumbersCols, "_performance_numbers");
    StoreTotals t = store_totals();
    TimestampTz now = GetCurrentTimestamp();
    SlowNumbers slow = slow_numbers(now, t.calls, kRateWindowUs, kRateGapUs);
    double qps = 0;
    if (slow.has_rate)
        qps = slow.rate;
    else if (now - t.stats_reset >= 1000000)
        qps = (double) t.calls / ((double) (now - t.stats_reset) / 1e6);
    ResultRow<kNumbersCols> row;
    row.add_int64(t.calls).add_float8(t.exec_ms).add_int64(slow.last_hour).add_float8(qps);
    PG_RETURN_DATUM(row.tuple(desc));
}

POTHOS_SQL_FUNCTION(pothos_perf_health_eval) {
    TupleDesc desc = result_row_desc(fcinfo, kEvalCols, "_health_eval");
    HealthArgs in;
    memset(&in, 0, sizeof in);
    in.connections_total = int64_arg(fcinfo, 0);
    in.connections_active = int64_arg(fcinfo, 1);
    in.connections_idle = int64_arg(fcinfo, 2);
    in.connections_idle_in_transaction = int64_arg(fcinfo, 3);
    in.max_connections = int64_arg(fcinfo, 4);
    in.average_query_time_ms = PG_ARGISNULL(5) ? 0 : PG_GETARG_FLOAT8(5);
    in.slow_queries_last_hour = int64_arg(fcinfo, 6);
    in.has_cache_hit_ratio = !PG_ARGISNULL(7);
    if (in.has_cache_hit_ratio) in.cache_hit_ratio = PG_GETARG_FLOAT8(7);
    in.has_cache_block_accesses = !PG_ARGISNULL(8);
    if (in.has_cache_block_accesses) in.cache_block_accesses = PG_GETARG_INT64(8);
    in.deadlocks = int64_arg(fcinfo, 9);
    in.locks_total = int64_arg(fcinfo, 10);
    in.locks_waiting = int64_arg(fcinfo, 11);
    in.has_longest_transaction = !PG_ARGISNULL(12);
    if (in.has_longest_transaction) in.longest_transaction_seconds = PG_GETARG_FLOAT8(12);

    HealthVerdict v;
    CppError err;
    if (!health_evaluate(&in, &v, &err)) POTHOS_RAISE_CPP_ERROR(err);
    ResultRow<kEvalCols> row;
    row.add_text(v.status).add_text(v.connections).add_text(v.performance).add_text(v.database);
    row.add_datum(text_array_datum(v.reasons));
    PG_RETURN_DATUM(row.tuple(desc));
}
