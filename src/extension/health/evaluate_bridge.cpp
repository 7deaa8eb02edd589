// health/evaluate_bridge.cpp -- see health/evaluate_bridge.h.
#include "extension/health/evaluate_bridge.h"

#include "core/health/health.h"
#include "extension/common/palloc_copy.h"

namespace pothos::ext {

bool health_evaluate(const HealthArgs* a, HealthVerdict* out, CppError* err) noexcept {
    return cpp_call(err, [&] {
        core::HealthInput in;
        in.connections_total = a->connections_total;
        in.connections_active = a->connections_active;
        in.connections_idle = a->connections_idle;
        in.connections_idle_in_transaction = a->connections_idle_in_transaction;
        in.max_connections = a->max_connections;
        in.average_query_time_ms = a->average_query_time_ms;
        in.slow_queries_last_hour = a->slow_queries_last_hour;
        if (a->has_cache_hit_ratio) in.cache_hit_ratio = a->cache_hit_ratio;
        if (a->has_cache_block_accesses) in.cache_block_accesses = a->cache_block_accesses;
        in.deadlocks = a->deadlocks;
        in.locks_total = a->locks_total;
        in.locks_waiting = a->locks_waiting;
        if (a->has_longest_transaction) in.longest_transaction_seconds = a->longest_transaction_seconds;
        core::HealthReport r = core::evaluate_health(in);
        out->status = core::health_status_name(r.status);
        out->connections = core::health_status_name(r.connections_status);
        out->performance = core::health_status_name(r.performance_status);
        out->database = core::health_status_name(r.database_status);
        out->reasons = palloc_copy(r.reasons);
    });
}

}  // namespace pothos::ext
