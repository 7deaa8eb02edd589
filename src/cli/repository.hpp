// Data access for pothos-perf: reads the pothos_perf views and functions
// into the model structs, and the few writes the command makes (reset,
// CREATE INDEX CONCURRENTLY). All SQL of the monitoring subcommands lives here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model.hpp"
#include "pg.hpp"

namespace pothos::cli {

std::vector<Statement> fetch_top(Connection& c, int limit);
std::vector<SlowQuery> fetch_slow(Connection& c, std::optional<double> threshold_ms, int limit);
std::vector<Nplus1> fetch_n_plus_one(Connection& c, int limit);
// recommend_indexes(min_improvement_pct), or the index_recommendations view when none given.
std::vector<IndexRecommendation> fetch_recommendations(Connection& c, std::optional<double> min_improvement_pct);
Explain fetch_explain(Connection& c, const std::string& sql, bool allow_writes);
std::string fetch_health(Connection& c);
std::string fetch_metrics(Connection& c);
std::string fetch_now(Connection& c);
// pg_is_in_recovery(): a standby.
bool fetch_in_recovery(Connection& c);
ResetCounts reset_all(Connection& c);
// Runs one recommended CREATE INDEX with CONCURRENTLY (added when missing);
// refuses anything that is not a CREATE INDEX statement.
std::string create_index_concurrently(Connection& c, const std::string& ddl);

}  // namespace pothos::cli
