// A writer for the Prometheus text exposition format, version 0.0.4
// (Content-Type: text/plain; version=0.0.4), free of PostgreSQL headers.
//
// Families (counter, gauge, histogram) are collected in any order and
// rendered grouped: each family's "# HELP" and "# TYPE" lines once, then all
// its samples, families in the order they were first declared. Invalid input
// (bad names, duplicate series, type clashes, bad buckets) is refused with a
// false return and an entry in errors(); the output stays valid.
//
// Nothing here throws except std::bad_alloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pothos::core::prometheus {

enum class MetricType { Counter, Gauge, Histogram };

// Label pairs in output order.
using Labels = std::vector<std::pair<std::string, std::string>>;

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved).
bool valid_label_name(std::string_view name);
// Escapes backslash, double quote and newline for a label value; bytes that
// are not valid UTF-8 become U+FFFD (both functions).
std::string escape_label_value(std::string_view value);
// Escapes backslash and newline for HELP text.
std::string escape_help(std::string_view help);
// A sample value: shortest text that reads back as the same double;
// "+Inf", "-Inf" and "NaN" for the special values.
std::string format_value(double value);

struct HistogramData {
    // Finite, strictly increasing upper bounds (the +Inf bucket is implicit).
    std::vector<double> upper_bounds;
    // Observations per bucket, NOT cumulative: counts[i] fell in
    // (upper_bounds[i-1], upper_bounds[i]]; an optional extra last element counts
    // observations above the last bound. Size: bounds or bounds + 1.
    std::vector<std::uint64_t> counts;
    double sum = 0;
};

// Bucket bounds in seconds for query durations: 1 ms to 10 s.
std::vector<double> default_duration_buckets();

// Maps a finer histogram onto `target_bounds` (finite, strictly increasing).
// Source bucket i holds counts[i] observations at or below bounds[i] * scale
// (the last bound may be +Inf); it is counted in the first target bucket
// whose bound is >= that (within a relative 1e-9, so 5 ms * 0.001 lands in
// le="0.005"), else above the last target bound. A cumulative count of the
// result never includes observations above its `le`. The result's counts have
// target_bounds.size() + 1 entries; `sum` is copied (already scaled by the caller).
HistogramData rebucket(const double* bounds, const std::uint64_t* counts, std::size_t n,
                       const std::vector<double>& target_bounds, double sum, double scale = 1.0);

class ExpositionWriter {
public:
    // Declares a family; samples added later go under it. Re-declaring with
    // the same type is accepted (the first HELP text stays). False for an
    // invalid name, another type under that name, or a name clashing with a
    // histogram's _bucket/_sum/_count series. An empty help omits the HELP line.
    bool declare(std::string_view name, MetricType type, std::string_view help);

    // Adds one sample, declaring the family if needed. False (nothing written)
    // for invalid label names, a label set already present in the family, a
    // type clash, or a negative / NaN counter value.
    bool counter(std::string_view name, std::string_view help, const Labels& labels, double value);
    bool gauge(std::string_view name, std::string_view help, const Labels& labels, double value);
    // Writes name_bucket{...,le="..."} (cumulative, ending with le="+Inf"),
    // name_sum and name_count. The label "le" is refused.
    bool histogram(std::string_view name, std::string_view help, const Labels& labels,
                   const HistogramData& data);

    // The exposition text (ends with a newline unless empty).
    std::string text() const;
    // What was refused, in order, one line each.
    const std::vector<std::string>& errors() const { return errors_; }

private:
    struct Family {
        std::string name;
        MetricType type;
        std::string help;
        std::string body;
        std::vector<std::string> series;  // rendered label sets, sorted
    };
    Family* find(std::string_view name);
    Family* family_for(std::string_view name, MetricType type, std::string_view help);
    bool scalar(std::string_view name, MetricType type, std::string_view help, const Labels& labels,
                double value);
    bool check_labels(const Labels& labels, bool histogram);
    bool fail(std::string message);
    bool claim_series(Family& f, const std::string& label_text);

    std::vector<Family> families_;
    std::vector<std::string> errors_;
};

// ---- label cardinality bound ---------------------------------------------------

struct Sample {
    Labels labels;
    double value = 0;
};

struct HistogramSample {
    Labels labels;
    HistogramData data;
};

// Which series to keep: true for the `max_series` largest weights (ties go to
// the earlier series), false for the rest.
std::vector<bool> top_n(const std::vector<double>& weights, std::size_t max_series);

// The labels with the value of every label named in `fold` (all labels when
// `fold` is empty) replaced by `other`.
Labels fold_labels(const Labels& labels, const std::vector<std::string>& fold,
                   std::string_view other = "other");

// Keeps the `max_series` series with the largest values and folds the rest
// (fold_labels) into as few series as their remaining labels allow, summing
// values; series whose labels end up equal are merged. Kept series come
// first in input order, then the folded ones in order of first appearance.
std::vector<Sample> limit_cardinality(const std::vector<Sample>& samples, std::size_t max_series,
                                      const std::vector<std::string>& fold = {},
                                      std::string_view other = "other");

// The same for histograms, weighted by observation count; folded histograms
// add their counts and sums. A folded histogram whose bounds differ from the
// series it would merge into is dropped (use one bucket layout per family).
std::vector<HistogramSample> limit_cardinality(const std::vector<HistogramSample>& samples,
                                               std::size_t max_series,
                                               const std::vector<std::string>& fold = {},
                                               std::string_view other = "other");

}  // namespace pothos::core::prometheus
