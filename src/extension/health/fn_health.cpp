// health/fn_health.cpp -- the C parts of pothos_perf.health() (the SQL
// function in 060_health_metrics.sql gathers the catalog and activity numbers
// and builds the jsonb):
//   _performance_numbers()  statement-store totals, slow executions in the
//                           last hour, statements per second (recent window)
//   _health_eval(...)       core::evaluate_health over the numbers
#include "extension/common/pg.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "storage/spin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(pothos_perf_performance_numbers);
PG_FUNCTION_INFO_V1(pothos_perf_health_eval);
}

#include "core/health/health.h"
#include "extension/common/datum_util.h"
#include "extension/common/guard.h"
#include "extension/common/palloc_copy.h"
#include "extension/slow/capture.h"
#include "extension/stats/store.h"

namespace pothos::ext {
namespace {

constexpr int64 kRateWindowUs = 60LL * 1000000;
constexpr int64 kRateGapUs = 5LL * 1000000;

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

extern "C" Datum pothos_perf_performance_numbers(PG_FUNCTION_ARGS) {
    slow_require_ready();
    TupleDesc desc;
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "return type must be a row type");
    int64 calls = 0;
    double total_ms = 0;
    pothos::core::StatTable& table = store_table();
    LWLockAcquire(store_lock(), LW_SHARED);
    TimestampTz stats_reset = table.header().stats_reset;
    for (uint32 s = 0; s < table.capacity(); s++) {
        if (!table.in_use((int32) s)) continue;
        pothos::core::StatEntry* e = table.entry((int32) s);
        slock_t* lock = reinterpret_cast<slock_t*>(&e->lock_word);
        SpinLockAcquire(lock);
        calls += e->counters.calls;
        total_ms += e->counters.exec.total;
        SpinLockRelease(lock);
    }
    LWLockRelease(store_lock());

    TimestampTz now = GetCurrentTimestamp();
    LWLockAcquire(slow_lock(), LW_EXCLUSIVE);
    int64 slow = (int64) slow_ring().count_since(now, 3600);
    std::optional<double> rate = slow_rate_window().observe(now, (double) calls, kRateWindowUs, kRateGapUs);
    LWLockRelease(slow_lock());
    double qps = 0;
    if (rate)
        qps = *rate;
    else if (now - stats_reset >= 1000000)
        qps = (double) calls / ((double) (now - stats_reset) / 1e6);

    Datum v[4] = {Int64GetDatum(calls), Float8GetDatum(total_ms), Int64GetDatum(slow), Float8GetDatum(qps)};
    bool nulls[4] = {false, false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nulls)));
}

extern "C" Datum pothos_perf_health_eval(PG_FUNCTION_ARGS) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "return type must be a row type");
    auto i64 = [&](int k) -> int64 { return PG_ARGISNULL(k) ? 0 : PG_GETARG_INT64(k); };
    pothos::core::HealthInput in;
    in.connections_total = i64(0);
    in.connections_active = i64(1);
    in.connections_idle = i64(2);
    in.connections_idle_in_transaction = i64(3);
    in.max_connections = i64(4);
    in.average_query_time_ms = PG_ARGISNULL(5) ? 0 : PG_GETARG_FLOAT8(5);
    in.slow_queries_last_hour = i64(6);
    if (!PG_ARGISNULL(7)) in.cache_hit_ratio = PG_GETARG_FLOAT8(7);
    if (!PG_ARGISNULL(8)) in.cache_block_accesses = PG_GETARG_INT64(8);
    in.deadlocks = i64(9);
    in.locks_total = i64(10);
    in.locks_waiting = i64(11);
    if (!PG_ARGISNULL(12)) in.longest_transaction_seconds = PG_GETARG_FLOAT8(12);

    const char* names[4] = {NULL, NULL, NULL, NULL};
    char** reasons = NULL;
    CppError err;
    bool ok = cpp_call(&err, [&] {
        pothos::core::HealthReport r = pothos::core::evaluate_health(in);
        names[0] = pothos::core::health_status_name(r.status);
        names[1] = pothos::core::health_status_name(r.connections_status);
        names[2] = pothos::core::health_status_name(r.performance_status);
        names[3] = pothos::core::health_status_name(r.database_status);
        reasons = palloc_copy(r.reasons);
    });
    if (!ok) POTHOS_RAISE_CPP_ERROR(err);
    Datum v[5];
    bool nulls[5] = {false, false, false, false, false};
    for (int k = 0; k < 4; k++) v[k] = CStringGetTextDatum(names[k]);
    v[4] = text_array_datum(reasons);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nulls)));
}
