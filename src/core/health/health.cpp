#include "core/health/health.h"

#include <charconv>
#include <cmath>

namespace pothos::core {

namespace {

// A number for reasons: at most two decimals, trailing zeros dropped; a
// magnitude of 1e15 or more in the shortest exponent form ("1e+100"), which
// also keeps it within the buffer.
std::string num(double v) {
    if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
    char buf[64];
    if (std::fabs(v) >= 1e15) {
        auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
        return res.ec == std::errc() ? std::string(buf, res.ptr) : std::string("?");
    }
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 2);
    if (res.ec != std::errc()) return "?";
    std::string s(buf, res.ptr);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

std::string num(std::int64_t v) {
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

// "1 deadlock", "2 deadlocks".
std::string count_of(std::int64_t n, const char* one, const char* many) {
    return num(n) + " " + (n == 1 ? one : many);
}

HealthStatus worst(HealthStatus a, HealthStatus b) { return a > b ? a : b; }

class Evaluator {
public:
    explicit Evaluator(HealthReport& report) : report_(report) {}

    // Grades `value` against thresholds where higher is worse (a threshold of
    // 0 or less is off); on a hit adds "<level>: <what>" and raises `component`.
    void at_least(HealthStatus& component, double value, double degraded, double unhealthy,
                  const std::string& what, const std::string& degraded_limit,
                  const std::string& unhealthy_limit) {
        if (unhealthy > 0 && value >= unhealthy) {
            add(component, HealthStatus::Unhealthy,
                what + " (unhealthy at " + unhealthy_limit + ")");
        } else if (degraded > 0 && value >= degraded) {
            add(component, HealthStatus::Degraded, what + " (degraded at " + degraded_limit + ")");
        }
    }

    // The same where lower is worse.
    void below(HealthStatus& component, double value, double degraded, double unhealthy,
               const std::string& what, const std::string& degraded_limit,
               const std::string& unhealthy_limit) {
        if (unhealthy > 0 && value < unhealthy) {
            add(component, HealthStatus::Unhealthy,
                what + " (unhealthy below " + unhealthy_limit + ")");
        } else if (degraded > 0 && value < degraded) {
            add(component, HealthStatus::Degraded,
                what + " (degraded below " + degraded_limit + ")");
        }
    }

private:
    void add(HealthStatus& component, HealthStatus level, const std::string& text) {
        component = worst(component, level);
        report_.reasons.push_back(std::string(health_status_name(level)) + ": " + text);
    }

    HealthReport& report_;
};

std::string percent(double ratio) { return num(ratio * 100.0) + "%"; }

}  // namespace

const char* health_status_name(HealthStatus status) {
    switch (status) {
        case HealthStatus::Healthy:
            return "healthy";
        case HealthStatus::Degraded:
            return "degraded";
        case HealthStatus::Unhealthy:
            return "unhealthy";
    }
    return "unknown";
}

HealthReport evaluate_health(const HealthInput& in, const HealthThresholds& t) {
    HealthReport r;
    Evaluator e(r);

    if (in.max_connections > 0) {
        double used =
            static_cast<double>(in.connections_total) / static_cast<double>(in.max_connections);
        e.at_least(r.connections_status, used, t.connections_degraded_ratio,
                   t.connections_unhealthy_ratio,
                   "connections at " + percent(used) + " of max_connections (" +
                       num(in.connections_total) + " of " + num(in.max_connections) + ")",
                   percent(t.connections_degraded_ratio), percent(t.connections_unhealthy_ratio));
    }
    e.at_least(r.connections_status, static_cast<double>(in.connections_idle_in_transaction),
               static_cast<double>(t.idle_in_transaction_degraded), 0,
               count_of(in.connections_idle_in_transaction, "session", "sessions") +
                   " idle in transaction",
               num(t.idle_in_transaction_degraded), std::string());

    e.at_least(r.performance_status, in.average_query_time_ms, t.average_query_time_degraded_ms,
               t.average_query_time_unhealthy_ms,
               "average query time " + num(in.average_query_time_ms) + " ms",
               num(t.average_query_time_degraded_ms) + " ms",
               num(t.average_query_time_unhealthy_ms) + " ms");
    e.at_least(
        r.performance_status, static_cast<double>(in.slow_queries_last_hour),
        static_cast<double>(t.slow_queries_degraded), static_cast<double>(t.slow_queries_unhealthy),
        count_of(in.slow_queries_last_hour, "slow query", "slow queries") + " in the last hour",
        num(t.slow_queries_degraded), num(t.slow_queries_unhealthy));

    bool enough_cache_samples =
        !in.cache_block_accesses || *in.cache_block_accesses >= t.min_cache_block_accesses;
    if (in.cache_hit_ratio && enough_cache_samples) {
        e.below(r.database_status, *in.cache_hit_ratio, t.cache_hit_degraded, t.cache_hit_unhealthy,
                "cache hit ratio " + percent(*in.cache_hit_ratio), percent(t.cache_hit_degraded),
                percent(t.cache_hit_unhealthy));
    }
    e.at_least(r.database_status, static_cast<double>(in.deadlocks),
               static_cast<double>(t.deadlocks_degraded),
               static_cast<double>(t.deadlocks_unhealthy),
               count_of(in.deadlocks, "deadlock", "deadlocks"), num(t.deadlocks_degraded),
               num(t.deadlocks_unhealthy));
    e.at_least(r.database_status, static_cast<double>(in.locks_waiting),
               static_cast<double>(t.locks_waiting_degraded),
               static_cast<double>(t.locks_waiting_unhealthy),
               count_of(in.locks_waiting, "lock", "locks") + " waiting",
               num(t.locks_waiting_degraded), num(t.locks_waiting_unhealthy));
    if (in.longest_transaction_seconds) {
        e.at_least(r.database_status, *in.longest_transaction_seconds,
                   t.long_transaction_degraded_seconds, t.long_transaction_unhealthy_seconds,
                   "oldest open transaction " + num(*in.longest_transaction_seconds) + " s",
                   num(t.long_transaction_degraded_seconds) + " s",
                   num(t.long_transaction_unhealthy_seconds) + " s");
    }

    r.status = worst(r.connections_status, worst(r.performance_status, r.database_status));
    return r;
}

}  // namespace pothos::core
