// Typed results of the pothos_perf extension's functions, as returned by
// Client::get_slow_queries, analyze_query, analyze_performance,
// introspect_schema and get_health_status / health (names and shapes of the
// specification's EnhancedDatabaseClient, in snake_case).
//
// Thread safety: plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pothos/deadline.hpp>
#include <pothos/errors.hpp>

namespace pothos {

// The extension is not usable in the client's database: not created there
// (CREATE EXTENSION pothos_perf) or its library not preloaded
// (shared_preload_libraries = 'pothos_perf', then a restart). what() says
// which and what to run; function() names the SQL function that was called.
class ExtensionMissingError : public Error {
public:
    ExtensionMissingError(std::string function, const std::string& message);
    const std::string& function() const noexcept { return function_; }

private:
    std::string function_;
};

struct SlowQueryOptions {
    Millis threshold{1000};       // executions at least this slow
    int limit = 50;               // the latest this many
    bool include_params = false;  // parameter values (kept only with pothos_perf.capture_params)
};

struct SlowQuery {
    std::string query;
    double duration = 0;  // ms, this execution
    std::chrono::system_clock::time_point timestamp{};
    std::int64_t execution_count = 0;
    double average_duration = 0;  // ms, over every execution of the statement
    std::vector<std::string> recommendations;
    std::optional<std::string> params;  // only with include_params
};

struct QueryAnalysis {
    std::string original_query, optimized_query;
    std::vector<std::string> improvements, potential_issues, rules, index_suggestions;
    double performance_gain = 0;  // estimated %, from planner costs
    std::optional<double> estimated_cost, estimated_cost_after;
};

struct PerformanceAnalysis {
    double execution_time = 0, planning_time = 0;  // ms
    double estimated_cost = 0, actual_rows = 0, estimated_rows = 0;
    std::int64_t buffer_hits = 0, buffer_reads = 0;
    bool is_optimized = false;
    std::vector<std::string> recommendations, rules;
    std::string execution_plan;  // EXPLAIN (FORMAT JSON) text
};

struct SchemaInfo {
    std::vector<std::string> tables;  // keys of "tables", sorted
    std::string json;                 // pothos_perf.introspect_schema() as JSON text
};

// The client's own pool: the specification's "connections" block.
struct PoolHealth {
    std::size_t total = 0, active = 0, idle = 0, waiting = 0, max_connections = 0;
    std::uint64_t timeouts = 0;
    std::string status;  // "healthy"; "degraded" while callers wait; "critical" when full and waiting
};

struct HealthStatus {
    std::string status;  // the worse of the pool's and the server's
    std::chrono::system_clock::time_point timestamp{};
    PoolHealth connections;
    // pothos_perf.health() as JSON text ({status, connections, performance,
    // database}); empty when the extension is not usable, server_error says why.
    std::optional<std::string> server;
    std::optional<std::string> server_status;
    std::string server_error;
};

}  // namespace pothos
