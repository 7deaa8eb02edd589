// Health verdict of a database server from a few numbers (behind
// pothos_perf.health()), free of PostgreSQL headers: the glue gathers the
// numbers (pg_stat_activity, pg_stat_database, pg_locks, the statement store)
// and turns the report into the jsonb shape.
//
// Each check compares one number with a "degraded" and an "unhealthy"
// threshold; the overall status is the worst of all checks. A threshold of 0
// (or a ratio threshold <= 0) switches that level of the check off.
// Reasons are deterministic: they depend only on the input numbers.
//
// Nothing here throws except std::bad_alloc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pothos::core {

enum class HealthStatus { Healthy = 0, Degraded = 1, Unhealthy = 2 };

// "healthy", "degraded" or "unhealthy".
const char* health_status_name(HealthStatus status);

struct HealthInput {
    // Client backends (pg_stat_activity, backend_type = 'client backend').
    std::int64_t connections_total = 0;
    std::int64_t connections_active = 0;
    std::int64_t connections_idle = 0;
    std::int64_t connections_idle_in_transaction = 0;
    // max_connections minus superuser_reserved_connections if the glue wants
    // the usable limit; 0 or less = unknown (the check is skipped).
    std::int64_t max_connections = 0;

    double average_query_time_ms = 0;         // mean execution time of recent statements
    std::int64_t slow_queries_last_hour = 0;  // executions over the slow threshold

    std::optional<double> cache_hit_ratio;             // blks_hit / (blks_hit + blks_read), 0..1
    std::optional<std::int64_t> cache_block_accesses;  // blks_hit + blks_read, when known

    std::int64_t deadlocks = 0;                         // deadlocks in the evaluation window
    std::int64_t locks_total = 0;                       // rows of pg_locks (reported, not judged)
    std::int64_t locks_waiting = 0;                     // ungranted locks
    std::optional<double> longest_transaction_seconds;  // oldest open transaction
};

struct HealthThresholds {
    // Connections in use as a fraction of max_connections: >= degraded / unhealthy.
    double connections_degraded_ratio = 0.80;
    double connections_unhealthy_ratio = 0.95;
    // Average query time in ms: >= degraded / unhealthy.
    double average_query_time_degraded_ms = 500;
    double average_query_time_unhealthy_ms = 2000;
    // Slow queries in the last hour: >= degraded / unhealthy.
    std::int64_t slow_queries_degraded = 10;
    std::int64_t slow_queries_unhealthy = 100;
    // Cache hit ratio: < degraded / unhealthy; ignored while fewer than
    // min_cache_block_accesses block accesses were counted (when that is known).
    double cache_hit_degraded = 0.90;
    double cache_hit_unhealthy = 0.80;
    std::int64_t min_cache_block_accesses = 1000;
    // Deadlocks in the window: >= degraded / unhealthy.
    std::int64_t deadlocks_degraded = 1;
    std::int64_t deadlocks_unhealthy = 10;
    // Ungranted locks: >= degraded / unhealthy.
    std::int64_t locks_waiting_degraded = 5;
    std::int64_t locks_waiting_unhealthy = 50;
    // Sessions idle in a transaction: >= degraded (no unhealthy level).
    std::int64_t idle_in_transaction_degraded = 5;
    // Oldest open transaction in seconds: >= degraded / unhealthy.
    double long_transaction_degraded_seconds = 300;
    double long_transaction_unhealthy_seconds = 3600;
};

struct HealthReport {
    HealthStatus status = HealthStatus::Healthy;              // worst of the three below
    HealthStatus connections_status = HealthStatus::Healthy;  // connection checks
    HealthStatus performance_status = HealthStatus::Healthy;  // query time, slow queries
    HealthStatus database_status = HealthStatus::Healthy;     // cache, deadlocks, locks, xacts
    std::vector<std::string> reasons;  // "degraded: ..." / "unhealthy: ...", in check order
};

HealthReport evaluate_health(const HealthInput& input,
                             const HealthThresholds& thresholds = HealthThresholds());

}  // namespace pothos::core
