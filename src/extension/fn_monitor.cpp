// fn_monitor.cpp -- the C parts of pothos_perf.health() and
// pothos_perf.metrics() (the SQL functions in 060_health_metrics.sql gather
// the catalog and activity numbers and build the jsonb):
//   _performance_numbers()  statement-store totals, slow executions in the
//                           last hour, statements per second (recent window)
//   _health_eval(...)       core::evaluate_health over the numbers
//   _metrics_text(...)      core::render_metrics over the statement store
#include "extension/pg.h"

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
PG_FUNCTION_INFO_V1(pothos_perf_metrics_text);
}

#include <string>
#include <limits>
#include <vector>

#include "core/health.h"
#include "core/histogram.h"
#include "core/metrics_text.h"
#include "core/statement_class.h"
#include "extension/advisor_collect.h"
#include "extension/datum_util.h"
#include "extension/guard.h"
#include "extension/palloc_copy.h"
#include "extension/slow_capture.h"
#include "extension/store.h"
#include "extension/text_encoding.h"

namespace pothos::ext {
namespace {

constexpr int64 kRateWindowUs = 60LL * 1000000;
constexpr int64 kRateGapUs = 5LL * 1000000;

// One store entry as metrics() needs it.
struct MetricRow {
    int64 calls, errors, slow_calls;
    double total_ms;
    uint64 hist[core::LatencyHistogram::kBuckets];
    char* text;    // as stored, in encoding
    int encoding;  // of the entry's database
};

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

extern "C" Datum pothos_perf_metrics_text(PG_FUNCTION_ARGS) {
    slow_require_ready();
    bool has_active = !PG_ARGISNULL(0), has_idle = !PG_ARGISNULL(1), has_np = !PG_ARGISNULL(2);
    int64 active = has_active ? PG_GETARG_INT64(0) : 0;
    int64 idle = has_idle ? PG_GETARG_INT64(1) : 0;
    int64 np = has_np ? PG_GETARG_INT64(2) : 0;
    int64 recommendations = 0;
    bool has_rec = advisor_last_recommendations(&recommendations);
    double threshold_ms = (double) guc_slow_query_threshold_ms;

    // Copy the entries (counters, histogram, text) under the shared lock.
    pothos::core::StatTable& table = store_table();
    LWLockAcquire(store_lock(), LW_SHARED);
    uint32 room = table.header().count;
    MetricRow* rows = (MetricRow*) palloc_extended(sizeof(MetricRow) * (room + 1), MCXT_ALLOC_HUGE);
    uint32 n = 0;
    for (uint32 s = 0; s < table.capacity() && n < room; s++) {
        if (!table.in_use((int32) s)) continue;
        pothos::core::StatEntry* e = table.entry((int32) s);
        MetricRow* r = &rows[n++];
        slock_t* lock = reinterpret_cast<slock_t*>(&e->lock_word);
        SpinLockAcquire(lock);
        r->calls = e->counters.calls;
        r->errors = e->counters.errors;
        r->slow_calls = e->counters.slow_calls;
        r->total_ms = e->counters.exec.total;
        memcpy(r->hist, e->counters.exec_hist.counts, sizeof r->hist);
        SpinLockRelease(lock);
        r->text = pnstrdup(e->text(), e->text_len);
        r->encoding = e->encoding;
    }
    LWLockRelease(store_lock());
    // The model labels come from the texts: in this database's encoding.
    for (uint32 i = 0; i < n; i++)
        rows[i].text = text_to_server(rows[i].text, (int) strlen(rows[i].text), rows[i].encoding);

    char* out = NULL;
    CppError err;
    bool ok = cpp_call(&err, [&] {
        pothos::core::MetricsInput in;
        if (has_active) in.connections_active = active;
        if (has_idle) in.connections_idle = idle;
        if (has_np) in.n_plus_one_findings = np;
        if (has_rec) in.index_recommendations = recommendations;
        in.slow_threshold_ms = threshold_ms;
        constexpr int kB = pothos::core::LatencyHistogram::kBuckets;
        for (int b = 0; b < kB - 1; b++)
            in.histogram_bounds_ms.push_back(pothos::core::LatencyHistogram::upper_bound(b));
        in.histogram_bounds_ms.push_back(std::numeric_limits<double>::infinity());
        in.statements.reserve(n);
        for (uint32 i = 0; i < n; i++) {
            const MetricRow& r = rows[i];
            pothos::core::StatementClass c = pothos::core::classify_statement(r.text);
            pothos::core::StatementSample s;
            s.operation = c.operation;
            s.model = c.model;
            s.calls = r.calls;
            s.errors = r.errors;
            s.slow_calls = r.slow_calls;
            s.total_exec_ms = r.total_ms;
            s.histogram.assign(r.hist, r.hist + kB);
            in.statements.push_back(std::move(s));
        }
        out = palloc_copy(pothos::core::render_metrics(in));
    });
    if (!ok) POTHOS_RAISE_CPP_ERROR(err);
    PG_RETURN_TEXT_P(cstring_to_text(out));
}
