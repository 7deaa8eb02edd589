// Per-statement instrumentation: metrics, DB_LOG_QUERIES, slow-query log with
// the extension's analyze_query advice when asked for and available.
#include "client_core.hpp"

#include <cstdio>

namespace pothos::detail {
namespace {

std::string ms_text(double ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", ms);
    return buf;
}

bool extension_installed(ClientCore& c, Connection& conn) {
    int known = c.extension.load(std::memory_order_relaxed);
    if (known >= 0) return known == 1;
    try {
        auto r = conn.exec("SELECT 1 FROM pg_extension WHERE extname = 'pothos_perf'");
        known = r.rows() > 0 ? 1 : 0;
    } catch (const DatabaseError&) {
        return false;
    }
    c.extension.store(known, std::memory_order_relaxed);
    return known == 1;
}

std::string advice(ClientCore& c, Connection& conn, const std::string& sql) {
    if (!conn.idle() || conn.broken() || !extension_installed(c, conn)) return {};
    try {
        auto r = conn.exec(
            "SELECT array_to_string(improvements, '; '), array_to_string(potential_issues, '; ') "
            "FROM pothos_perf.analyze_query($1)",
            params(sql), Clock::now() + std::chrono::seconds(5));
        std::string out;
        for (const Row& row : r) {
            const auto improvements = row.get<std::optional<std::string>>(0);
            const auto issues = row.get<std::optional<std::string>>(1);
            if (improvements && !improvements->empty()) out += " improvements: " + *improvements + ".";
            if (issues && !issues->empty()) out += " potential issues: " + *issues + ".";
        }
        return out;
    } catch (const Error& e) {
        return std::string(" (analyze_query failed: ") + e.what() + ")";
    }
}

}  // namespace

void ClientCore::observe(const std::string& sql, Clock::time_point start, bool ok, Lease& l) {
    const auto elapsed = Clock::now() - start;
    const double seconds = std::chrono::duration<double>(elapsed).count();
    const double ms = seconds * 1000;
    if (config.enable_metrics)
        metrics.observe_query(sql, seconds, ok, ms >= config.slow_query_threshold.count());
    if (config.log_queries)
        logger->log(LogLevel::info, "db:query",
                    ms_text(ms) + " ms " + (ok ? "ok" : "error") + ": " + sql);
    if (ok && config.log_slow_queries && ms >= config.slow_query_threshold.count()) {
        std::string msg = "slow query (" + ms_text(ms) + " ms, threshold " +
                          std::to_string(config.slow_query_threshold.count()) + " ms): " + sql;
        if ((config.query_analysis || config.performance_insights) && l)
            msg += advice(*this, l.connection(), sql);
        logger->log(LogLevel::warn, "db:slow", msg);
    }
}

}  // namespace pothos::detail
