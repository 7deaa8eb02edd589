// Reads the Prometheus text exposition format (the output of
// pothos_perf.metrics()) into samples, for `pothos-perf metrics --json`.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pothos::cli {

struct MetricSample {
    std::string name;
    std::vector<std::pair<std::string, std::string>> labels;
    double value = 0;
};

// Comment (# HELP/# TYPE) and blank lines are skipped. Throws
// std::invalid_argument naming the line on malformed input.
std::vector<MetricSample> parse_prometheus(const std::string& text);

// {"samples": [{"name": ..., "labels": {...}, "value": ...}, ...]}
std::string json_metrics(const std::vector<MetricSample>& samples);

}  // namespace pothos::cli
