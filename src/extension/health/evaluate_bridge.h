// health/evaluate_bridge.h -- core::evaluate_health for the glue: plain
// numbers in, palloc'd names and reasons out (the boundary rules: guard.h).
#pragma once

#include "extension/common/pg.h"

#include "extension/common/guard.h"

namespace pothos::ext {

// core::HealthInput with its optional figures as a flag and a value.
struct HealthArgs {
    int64 connections_total, connections_active, connections_idle, connections_idle_in_transaction;
    int64 max_connections;
    double average_query_time_ms;
    int64 slow_queries_last_hour;
    bool has_cache_hit_ratio;
    double cache_hit_ratio;
    bool has_cache_block_accesses;
    int64 cache_block_accesses;
    int64 deadlocks, locks_total, locks_waiting;
    bool has_longest_transaction;
    double longest_transaction_seconds;
};
POTHOS_PLAIN(HealthArgs);

struct HealthVerdict {
    const char* status;  // overall, then per area (static strings)
    const char* connections;
    const char* performance;
    const char* database;
    char** reasons;  // NULL-terminated, palloc'd
};
POTHOS_PLAIN(HealthVerdict);

// False when the evaluation failed (the message in *err).
bool health_evaluate(const HealthArgs* in, HealthVerdict* out, CppError* err) noexcept;

}  // namespace pothos::ext
