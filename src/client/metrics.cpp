// Prometheus text rendering of the client's histograms, counters and gauges.
#include <pothos/metrics.hpp>

#include <cstdio>

namespace pothos {
namespace {
std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}
const std::vector<double> kBounds{0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05,
                                  0.1,    0.25,   0.5,   1,     2.5,  5,     10};
}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size()]) {
    for (std::size_t i = 0; i < bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double seconds) noexcept {
    std::size_t i = 0;
    while (i < bounds_.size() && seconds > bounds_[i]) ++i;
    if (i < bounds_.size()) buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

double Histogram::sum() const noexcept { return sum_ns_.load(std::memory_order_relaxed) / 1e9; }

void Histogram::render(std::string& out, const std::string& name, const std::string& help) const {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        out += name + "_bucket{le=\"" + num(bounds_[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += name + "_bucket{le=\"+Inf\"} " + std::to_string(count()) + "\n";
    out += name + "_sum " + num(sum()) + "\n";
    out += name + "_count " + std::to_string(count()) + "\n";
}

Metrics::Metrics() : acquire_(kBounds), query_(kBounds) {}

void Metrics::observe_query(double seconds, bool ok) noexcept {
    query_.observe(seconds);
    (ok ? ok_ : failed_).fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(const std::vector<std::pair<std::string, PoolStats>>& pools) const {
    std::string out;
    out += "# HELP pothos_database_connections_active Connections leased to callers.\n"
           "# TYPE pothos_database_connections_active gauge\n";
    for (const auto& [name, st] : pools)
        out += "pothos_database_connections_active{pool=\"" + name + "\"} " +
               std::to_string(st.borrowed) + "\n";
    out += "# HELP pothos_database_connections_idle Idle pooled connections.\n"
           "# TYPE pothos_database_connections_idle gauge\n";
    for (const auto& [name, st] : pools)
        out += "pothos_database_connections_idle{pool=\"" + name + "\"} " +
               std::to_string(st.available) + "\n";
    out += "# HELP pothos_database_connections_waiting Callers waiting for a connection.\n"
           "# TYPE pothos_database_connections_waiting gauge\n";
    for (const auto& [name, st] : pools)
        out += "pothos_database_connections_waiting{pool=\"" + name + "\"} " +
               std::to_string(st.pending) + "\n";
    acquire_.render(out, "pothos_database_pool_acquisition_duration_seconds",
                    "Time to acquire a pooled connection.");
    query_.render(out, "pothos_database_query_duration_seconds", "Statement duration.");
    out += "# HELP pothos_database_queries_total Statements run, by outcome.\n"
           "# TYPE pothos_database_queries_total counter\n";
    out += "pothos_database_queries_total{status=\"success\"} " + std::to_string(queries(true)) + "\n";
    out += "pothos_database_queries_total{status=\"error\"} " + std::to_string(queries(false)) + "\n";
    return out;
}

}  // namespace pothos
