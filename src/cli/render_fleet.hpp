// The output of report, top, n-plus-one and advise over several servers
// (fleet.hpp): text and --json. Statements merged by query id with a column
// per server, findings per server, recommendations once, addressed to the
// primary. Plain C++, no I/O.
#pragma once

#include <string>
#include <vector>

#include "fleet.hpp"
#include "render_text.hpp"

namespace pothos::cli {

std::string text_fleet_top(const std::vector<Server>& servers, const std::vector<FleetStatement>& rows,
                           const TextStyle& st);
std::string text_fleet_n_plus_one(const std::vector<Server>& servers,
                                  const std::vector<std::vector<Nplus1>>& per_server, const TextStyle& st);
std::string text_fleet_advise(const std::vector<Server>& servers, const std::vector<FleetRecommendation>& recs,
                              std::optional<std::size_t> primary, const TextStyle& st);
std::string text_fleet_report(const FleetReport& f, const TextStyle& st);

std::string json_fleet_top(const std::vector<Server>& servers, const std::vector<FleetStatement>& rows);
std::string json_fleet_n_plus_one(const std::vector<Server>& servers,
                                  const std::vector<std::vector<Nplus1>>& per_server);
// `applied`: the DDL run on the primary by --apply (absent when not applying).
std::string json_fleet_advise(const std::vector<Server>& servers, const std::vector<FleetRecommendation>& recs,
                              std::optional<std::size_t> primary, const std::vector<std::string>* applied);
std::string json_fleet_report(const FleetReport& f);

// "primary" or "standby".
const char* role_of(const Server& s);

}  // namespace pothos::cli
