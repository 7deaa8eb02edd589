// The human-readable output of each pothos-perf subcommand: aligned tables
// with units, built from the model structs. Plain C++, no I/O.
#pragma once

#include <string>
#include <vector>

#include "model.hpp"

namespace pothos::cli {

struct TextStyle {
    bool colour = false;
    std::size_t query_width = 60;  // query text is cut to this many columns
};

std::string text_top(const std::vector<Statement>& rows, const TextStyle& st);
std::string text_slow(const std::vector<SlowQuery>& rows, const TextStyle& st);
std::string text_n_plus_one(const std::vector<Nplus1>& rows, const TextStyle& st);
std::string text_advise(const std::vector<IndexRecommendation>& rows, const TextStyle& st);
std::string text_explain(const Explain& e, const TextStyle& st);
// health() JSON flattened into "path  value" lines; throws std::runtime_error on bad JSON.
std::string text_health(const std::string& health_json, const TextStyle& st);
std::string text_reset(const ResetCounts& r, const TextStyle& st);
std::string text_report(const Report& r, const TextStyle& st);

}  // namespace pothos::cli
