// metrics/render_bridge.cpp -- see metrics/render_bridge.h.
#include "extension/metrics/render_bridge.h"

#include <limits>

#include "core/metrics/metrics_text.h"
#include "core/metrics/statement_class.h"
#include "core/stats/histogram.h"
#include "extension/common/palloc_copy.h"

namespace pothos::ext {

namespace {

constexpr int kBuckets = core::LatencyHistogram::kBuckets;

// One store entry as a sample of its (operation, model) series; the model
// label comes from the statement's text.
core::StatementSample sample_of(const StoreRow& row) {
    const core::StatCounters& r = row.counters;
    core::StatementClass c = core::classify_statement(row.text);
    core::StatementSample s;
    s.operation = c.operation;
    s.model = c.model;
    s.calls = r.calls;
    s.errors = r.errors;
    s.slow_calls = r.slow_calls;
    s.total_exec_ms = r.exec.total;
    s.histogram.assign(r.exec_hist.counts, r.exec_hist.counts + kBuckets);
    return s;
}

}  // namespace

bool metrics_render(const MetricsArgs* a, char** out, CppError* err) noexcept {
    return cpp_call(err, [&] {
        core::MetricsInput in;
        if (a->has_active) in.connections_active = a->active;
        if (a->has_idle) in.connections_idle = a->idle;
        if (a->has_nplus1) in.n_plus_one_findings = a->nplus1_findings;
        if (a->has_nplus1_saved) in.n_plus_one_round_trips_saved = a->nplus1_saved;
        if (a->has_recommendations) in.index_recommendations = a->recommendations;
        in.slow_threshold_ms = a->slow_threshold_ms;
        for (int b = 0; b < kBuckets - 1; b++) in.histogram_bounds_ms.push_back(core::LatencyHistogram::upper_bound(b));
        in.histogram_bounds_ms.push_back(std::numeric_limits<double>::infinity());
        in.statements.reserve(a->nrows);
        for (uint32 i = 0; i < a->nrows; i++) in.statements.push_back(sample_of(a->rows[i]));
        *out = palloc_copy(core::render_metrics(in));
    });
}

}  // namespace pothos::ext
