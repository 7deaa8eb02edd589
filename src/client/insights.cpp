// Client's typed wrappers over the pothos_perf extension's SQL functions, and
// the client's health: its pool with the server's pothos_perf.health().
#include <algorithm>

#include <pothos/client.hpp>
#include <pothos/insights.hpp>

namespace pothos {

ExtensionMissingError::ExtensionMissingError(std::string function, const std::string& message)
    : Error(message), function_(std::move(function)) {}

namespace {

// Runs one call of an extension function; a failure that means the
// extension is absent or not preloaded becomes ExtensionMissingError.
Result call(Client& c, const std::string& function, const std::string& sql, const Params& p) {
    try {
        return c.query(sql, p);
    } catch (const DatabaseError& e) {
        const std::string& s = e.sqlstate();
        const std::string msg = e.what();
        if (msg.find("shared_preload_libraries") != std::string::npos)
            throw ExtensionMissingError(
                function, "pothos_perf." + function + "() needs the extension's library preloaded: "
                          "set shared_preload_libraries = 'pothos_perf' and restart the server (" +
                          msg + ")");
        const bool missing = s == "3F000" || s == "42883" || s == "42P01";
        if (missing && msg.find("pothos_perf") != std::string::npos)
            throw ExtensionMissingError(
                function, "pothos_perf." + function + "() is not available in this database: "
                          "run CREATE EXTENSION pothos_perf (its library must be in "
                          "shared_preload_libraries) (" + msg + ")");
        throw;
    }
}

std::vector<std::string> strings(const Result& r, int row, const char* column) {
    return r.get<std::optional<std::vector<std::string>>>(row, column).value_or(
        std::vector<std::string>{});
}

std::chrono::system_clock::time_point from_epoch(double seconds) {
    return std::chrono::system_clock::time_point(std::chrono::duration_cast<
        std::chrono::system_clock::duration>(std::chrono::duration<double>(seconds)));
}

int rank(const std::string& status) {
    if (status == "critical" || status == "unhealthy") return 2;
    if (status == "degraded" || status == "warning") return 1;
    return 0;
}

}  // namespace

std::vector<SlowQuery> Client::get_slow_queries(const SlowQueryOptions& o) {
    auto r = call(*this, "get_slow_queries",
                  "SELECT query, duration_ms, extract(epoch FROM occurred_at)::float8 AS at, "
                  "execution_count, average_duration_ms, recommendations, params "
                  "FROM pothos_perf.get_slow_queries($1::float8, $2::int, $3::boolean)",
                  params(static_cast<double>(o.threshold.count()), o.limit, o.include_params));
    std::vector<SlowQuery> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        SlowQuery q;
        q.query = r.get<std::string>(i, "query");
        q.duration = r.get<double>(i, "duration_ms");
        q.timestamp = from_epoch(r.get<double>(i, "at"));
        q.execution_count = r.get<std::int64_t>(i, "execution_count");
        q.average_duration = r.get<double>(i, "average_duration_ms");
        q.recommendations = strings(r, i, "recommendations");
        if (o.include_params) q.params = r.get<std::optional<std::string>>(i, "params");
        out.push_back(std::move(q));
    }
    return out;
}

QueryAnalysis Client::analyze_query(const std::string& sql) {
    auto r = call(*this, "analyze_query", "SELECT * FROM pothos_perf.analyze_query($1::text)",
                  params(sql));
    QueryAnalysis a;
    a.original_query = r.get<std::optional<std::string>>(0, "original_query").value_or("");
    a.optimized_query = r.get<std::optional<std::string>>(0, "optimized_query").value_or("");
    a.improvements = strings(r, 0, "improvements");
    a.potential_issues = strings(r, 0, "potential_issues");
    a.rules = strings(r, 0, "rules");
    a.index_suggestions = strings(r, 0, "index_suggestions");
    a.performance_gain = r.get<std::optional<double>>(0, "performance_gain").value_or(0);
    a.estimated_cost = r.get<std::optional<double>>(0, "estimated_cost");
    a.estimated_cost_after = r.get<std::optional<double>>(0, "estimated_cost_after");
    return a;
}

PerformanceAnalysis Client::analyze_performance(const std::string& sql, bool allow_writes) {
    auto r = call(*this, "analyze_performance",
                  "SELECT * FROM pothos_perf.analyze_performance($1::text, $2::boolean)",
                  params(sql, allow_writes));
    PerformanceAnalysis a;
    auto num = [&](const char* col) { return r.get<std::optional<double>>(0, col).value_or(0); };
    a.execution_time = num("execution_time");
    a.planning_time = num("planning_time");
    a.estimated_cost = num("estimated_cost");
    a.actual_rows = num("actual_rows");
    a.estimated_rows = num("estimated_rows");
    a.buffer_hits = r.get<std::optional<std::int64_t>>(0, "buffer_hits").value_or(0);
    a.buffer_reads = r.get<std::optional<std::int64_t>>(0, "buffer_reads").value_or(0);
    a.is_optimized = r.get<std::optional<bool>>(0, "is_optimized").value_or(false);
    a.recommendations = strings(r, 0, "recommendations");
    a.rules = strings(r, 0, "rules");
    a.execution_plan = r.get<std::optional<std::string>>(0, "execution_plan").value_or("");
    return a;
}

SchemaInfo Client::introspect_schema(const std::optional<std::string>& schema) {
    auto r = call(*this, "introspect_schema",
                  "SELECT s::text, ARRAY(SELECT jsonb_object_keys(s->'tables') ORDER BY 1) "
                  "FROM pothos_perf.introspect_schema($1::text) AS s",
                  params(schema));
    SchemaInfo info;
    info.json = r.get<std::string>(0, 0);
    info.tables = r.get<std::vector<std::string>>(0, 1);
    return info;
}

PoolHealth Client::pool_health() const {
    const PoolStats st = stats();
    PoolHealth h;
    h.total = st.size;
    h.active = st.borrowed;
    h.idle = st.available;
    h.waiting = st.pending;
    h.max_connections = st.max;
    h.timeouts = st.total_timeouts;
    h.status = st.pending == 0 ? "healthy" : st.borrowed >= st.max ? "critical" : "degraded";
    return h;
}

HealthStatus Client::get_health_status() {
    HealthStatus h;
    h.timestamp = std::chrono::system_clock::now();
    h.connections = pool_health();
    h.status = h.connections.status;
    try {
        auto r = call(*this, "health", "SELECT s::text, s->>'status' FROM pothos_perf.health() AS s",
                      {});
        h.server = r.get<std::string>(0, 0);
        h.server_status = r.get<std::optional<std::string>>(0, 1);
        if (h.server_status && rank(*h.server_status) > rank(h.status)) h.status = *h.server_status;
    } catch (const ExtensionMissingError& e) {
        h.server_error = e.what();
    }
    return h;
}

}  // namespace pothos
