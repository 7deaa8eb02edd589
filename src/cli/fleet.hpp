// Several servers in one view (`-d` repeated): what each server returned,
// merged for the fleet renderers. Plain C++, no libpq: the data access reads
// each server into a Report (or its parts), the functions here merge them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "model.hpp"

namespace pothos::cli {

struct Server {
    std::string name;      // how columns and headings name it: host:port/database
    bool standby = false;  // pg_is_in_recovery()
};

// One statement fingerprint across the fleet.
struct FleetStatement {
    std::int64_t queryid = 0;
    std::string query;
    // calls, total_ms, rows and blocks summed; mean_ms = total_ms / calls;
    // p50/p95/p99: the highest of the servers' (percentiles do not add up)
    Statement total;
    std::vector<std::optional<Statement>> per_server;  // one per server, in server order
};

// Statements merged by queryid, by total time descending (queryid breaks
// ties), at most `limit`. per_server[i] are the rows of server i.
std::vector<FleetStatement> merge_statements(const std::vector<std::vector<Statement>>& per_server,
                                             std::size_t limit);

// An index recommended on one or more servers. Indexes are created on the
// primary (a standby replays them), so each appears once.
struct FleetRecommendation {
    IndexRecommendation rec;           // the one with the highest improvement
    std::vector<std::size_t> servers;  // where it was recommended, in server order
};

// De-duplicated by their CREATE INDEX statement (whitespace and case of
// keywords aside); by improvement descending. affected_queries is summed.
std::vector<FleetRecommendation> merge_recommendations(
    const std::vector<std::vector<IndexRecommendation>>& per_server);

// The primary among the servers: the one not in recovery; none when every
// server is a standby. Throws std::invalid_argument when there are several
// (two clusters in one view: their recommendations cannot be addressed).
std::optional<std::size_t> primary_of(const std::vector<Server>& servers);

// `report` over the fleet.
struct FleetReport {
    std::vector<Server> servers;
    std::vector<Report> reports;  // one per server (its own top, slow, findings, health)
    std::vector<FleetStatement> top;
    std::vector<FleetRecommendation> recommendations;
    std::optional<std::size_t> primary;
};

FleetReport merge_reports(std::vector<Server> servers, std::vector<Report> reports, std::size_t limit);

// "host:port/database" of a server, from what the connection reports.
std::string server_name(const std::string& host, const std::string& port, const std::string& database);

}  // namespace pothos::cli
