// metrics/fn_metrics.cpp -- the C part of pothos_perf.metrics() (the SQL
// function in 060_health_metrics.sql gathers the connection counts):
//   _metrics_text(...)      core::render_metrics over the statement store
#include "extension/common/pg.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "storage/spin.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(pothos_perf_metrics_text);
}

#include <limits>
#include <string>
#include <vector>

#include "core/metrics/metrics_text.h"
#include "core/metrics/statement_class.h"
#include "core/stats/histogram.h"
#include "extension/advisor/collect.h"
#include "extension/common/guard.h"
#include "extension/common/palloc_copy.h"
#include "extension/slow/capture.h"
#include "extension/stats/store.h"
#include "extension/stats/text_encoding.h"

namespace pothos::ext {
namespace {

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

extern "C" Datum pothos_perf_metrics_text(PG_FUNCTION_ARGS) {
    slow_require_ready();
    bool has_active = !PG_ARGISNULL(0), has_idle = !PG_ARGISNULL(1), has_np = !PG_ARGISNULL(2);
    int64 active = has_active ? PG_GETARG_INT64(0) : 0;
    int64 idle = has_idle ? PG_GETARG_INT64(1) : 0;
    int64 np = has_np ? PG_GETARG_INT64(2) : 0;
    int64 recommendations = 0;
    bool has_rec = advisor_last_recommendations(&recommendations);
    double threshold_ms = (double) slow_guc_threshold_ms;

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
