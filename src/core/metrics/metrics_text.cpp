#include "core/metrics/metrics_text.h"

#include <algorithm>

#include "core/metrics/prometheus.h"

namespace pothos::core {

namespace {

namespace prom = prometheus;

// The statements of one (operation, model) series, summed.
struct Series {
    std::string operation;
    std::string model;
    std::int64_t calls = 0;
    std::int64_t errors = 0;
    std::int64_t slow_calls = 0;
    double total_exec_ms = 0;
    prom::HistogramData duration;  // in seconds, on the target buckets
};

void add_to(Series& into, const Series& from) {
    into.calls += from.calls;
    into.errors += from.errors;
    into.slow_calls += from.slow_calls;
    into.total_exec_ms += from.total_exec_ms;
    for (std::size_t i = 0; i < into.duration.counts.size(); ++i) {
        into.duration.counts[i] += from.duration.counts[i];
    }
    into.duration.sum += from.duration.sum;
}

Series series_of(const StatementSample& s, const MetricsInput& in,
                 const std::vector<double>& buckets) {
    Series out;
    out.operation = s.operation.empty() ? "utility" : s.operation;
    out.model = s.model.empty() ? "none" : s.model;
    out.calls = s.calls;
    out.errors = s.errors;
    out.slow_calls = s.slow_calls;
    out.total_exec_ms = s.total_exec_ms;
    double sum_s = s.total_exec_ms / 1000.0;
    if (s.histogram.size() == in.histogram_bounds_ms.size() && !s.histogram.empty()) {
        out.duration = prom::rebucket(in.histogram_bounds_ms.data(), s.histogram.data(),
                                      s.histogram.size(), buckets, sum_s, 0.001);
    } else {
        out.duration.upper_bounds = buckets;
        out.duration.counts.assign(buckets.size() + 1, 0);
        out.duration.counts.back() = static_cast<std::uint64_t>(std::max<std::int64_t>(s.calls, 0));
        out.duration.sum = sum_s;
    }
    return out;
}

// Merges series with equal labels into `out` (kept sorted by labels).
void merge_into(std::vector<Series>& out, Series s) {
    auto less = [](const Series& a, const Series& b) {
        return a.operation != b.operation ? a.operation < b.operation : a.model < b.model;
    };
    auto it = std::lower_bound(out.begin(), out.end(), s, less);
    if (it != out.end() && it->operation == s.operation && it->model == s.model) {
        add_to(*it, s);
    } else {
        out.insert(it, std::move(s));
    }
}

std::vector<Series> aggregate(const MetricsInput& in, const std::vector<double>& buckets) {
    std::vector<Series> all;
    for (const StatementSample& s : in.statements) merge_into(all, series_of(s, in, buckets));
    std::vector<double> weights;
    for (const Series& s : all) weights.push_back(static_cast<double>(s.calls));
    std::vector<bool> keep = prom::top_n(weights, in.max_series);
    std::vector<Series> out;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (!keep[i]) all[i].model = "other";
        merge_into(out, std::move(all[i]));
    }
    return out;
}

void optional_gauge(prom::ExpositionWriter& w, const char* name, const char* help,
                    const std::optional<std::int64_t>& value) {
    if (value) w.gauge(name, help, {}, static_cast<double>(*value));
}

}  // namespace

std::string render_metrics(const MetricsInput& in) {
    std::vector<double> buckets =
        in.duration_buckets_s.empty() ? prom::default_duration_buckets() : in.duration_buckets_s;
    prom::ExpositionWriter w;
    if (in.connections_active) {
        w.gauge("pothos_database_connections_active", "Client connections running a statement.", {},
                static_cast<double>(*in.connections_active));
    }
    if (in.connections_idle) {
        w.gauge("pothos_database_connections_idle", "Idle client connections.", {},
                static_cast<double>(*in.connections_idle));
    }
    std::vector<Series> series = aggregate(in, buckets);
    w.declare("pothos_database_query_duration_seconds", prom::MetricType::Histogram,
              "Statement execution time in seconds, by operation and main table.");
    w.declare("pothos_database_queries_total", prom::MetricType::Counter,
              "Statements executed, by operation, main table and outcome.");
    std::int64_t slow = 0;
    for (const Series& s : series) {
        prom::Labels labels = {{"operation", s.operation}, {"model", s.model}};
        w.histogram("pothos_database_query_duration_seconds", "", labels, s.duration);
        prom::Labels ok = labels;
        ok.emplace_back("status", "success");
        prom::Labels failed = labels;
        failed.emplace_back("status", "error");
        w.counter("pothos_database_queries_total", "", ok,
                  static_cast<double>(std::max<std::int64_t>(s.calls, 0)));
        w.counter("pothos_database_queries_total", "", failed,
                  static_cast<double>(std::max<std::int64_t>(s.errors, 0)));
        slow += std::max<std::int64_t>(s.slow_calls, 0);
    }
    prom::Labels threshold;
    if (in.slow_threshold_ms) threshold.emplace_back("threshold", prom::format_value(*in.slow_threshold_ms));
    w.counter("pothos_database_slow_queries_total",
              "Executions at or above pothos_perf.slow_query_threshold.", threshold,
              static_cast<double>(slow));
    optional_gauge(w, "pothos_database_n_plus_one_findings", "N+1 and repeated-query findings.",
                   in.n_plus_one_findings);
    optional_gauge(w, "pothos_database_n_plus_one_round_trips_saved",
                   "Round trips the N+1 findings would save if batched.", in.n_plus_one_round_trips_saved);
    optional_gauge(w, "pothos_database_index_recommendations", "Current index recommendations.",
                   in.index_recommendations);
    return w.text();
}

}  // namespace pothos::core
