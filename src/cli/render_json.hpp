// The --json output of each pothos-perf subcommand: one object per
// subcommand with a stable shape (documented in docs/cli.md). Times are in
// milliseconds, sizes in bytes, ratios in [0,1], percentages in percent.
#pragma once

#include <string>
#include <vector>

#include "json_doc.hpp"
#include "model.hpp"

namespace pothos::cli {

// The arrays of the documents below, for documents that combine them.
Json json_statement_list(const std::vector<Statement>& rows);
Json json_slow_list(const std::vector<SlowQuery>& rows);
Json json_finding_list(const std::vector<Nplus1>& rows);
Json json_recommendation_list(const std::vector<IndexRecommendation>& rows);

std::string json_top(const std::vector<Statement>& rows);
std::string json_slow(const std::vector<SlowQuery>& rows);
std::string json_n_plus_one(const std::vector<Nplus1>& rows);
// `applied`: the DDL run by --apply (absent from the document when not applying).
std::string json_advise(const std::vector<IndexRecommendation>& rows,
                        const std::vector<std::string>* applied);
std::string json_explain(const Explain& e);
std::string json_health(const std::string& health_json);
std::string json_reset(const ResetCounts& r);
std::string json_report(const Report& r);

}  // namespace pothos::cli
