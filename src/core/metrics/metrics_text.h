// The text of pothos_perf.metrics(): the pothos_database_* families in the
// Prometheus exposition format, from numbers the glue reads (connection
// counts, statement-store entries). Aggregates statements per (operation,
// model), bounds the label cardinality and re-buckets the latency histograms.
// No PostgreSQL headers.
//
// Families:
//   pothos_database_connections_active        gauge
//   pothos_database_connections_idle          gauge
//   pothos_database_query_duration_seconds    histogram {operation, model}
//   pothos_database_queries_total             counter   {operation, model, status=success|error}
//   pothos_database_slow_queries_total        counter   {threshold} (ms, when given)
//   pothos_database_n_plus_one_findings       gauge     (when given)
//   pothos_database_n_plus_one_round_trips_saved gauge  (when given)
//   pothos_database_index_recommendations     gauge     (when given)
//
// Nothing here throws except std::bad_alloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pothos::core {

// One statement-store entry.
struct StatementSample {
    std::string operation;  // classify_statement(text).operation
    std::string model;      // classify_statement(text).model; "" is reported as "none"
    std::int64_t calls = 0;
    std::int64_t errors = 0;
    std::int64_t slow_calls = 0;
    double total_exec_ms = 0;
    // Executions per latency bucket (not cumulative), in the layout of
    // MetricsInput::histogram_bounds_ms; empty = no histogram.
    std::vector<std::uint64_t> histogram;
};

struct MetricsInput {
    std::optional<std::int64_t> connections_active;
    std::optional<std::int64_t> connections_idle;
    // Upper bound in ms of each bucket of StatementSample::histogram (the last
    // may be +Inf).
    std::vector<double> histogram_bounds_ms;
    std::vector<StatementSample> statements;
    std::optional<std::int64_t> n_plus_one_findings;
    // Round trips those findings would save if batched.
    std::optional<std::int64_t> n_plus_one_round_trips_saved;
    std::optional<std::int64_t> index_recommendations;
    // The slow-query threshold in ms: the `threshold` label of
    // pothos_database_slow_queries_total (none when unset).
    std::optional<double> slow_threshold_ms;
    // At most this many (operation, model) series; the ones with fewest calls
    // are folded into model="other" of their operation.
    std::size_t max_series = 50;
    // Bucket bounds of the duration histogram, in seconds; empty = the
    // prometheus::default_duration_buckets().
    std::vector<double> duration_buckets_s;
};

// The exposition text; series in (operation, model) order. A statement whose
// histogram does not match histogram_bounds_ms contributes to the counters
// and the histogram's _sum and _count, with its executions in le="+Inf".
std::string render_metrics(const MetricsInput& in);

}  // namespace pothos::core
