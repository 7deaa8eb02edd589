// Prometheus text rendering of the client's histograms, counters and gauges,
// and the per-pool observer that records them.
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
double seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }
std::string pool_label(const std::string& name) { return "pool=\"" + name + "\""; }
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

void Histogram::render_header(std::string& out, const std::string& name, const std::string& help) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
    const std::string sep = labels.empty() ? "" : labels + ",";
    const std::string own = labels.empty() ? "" : "{" + labels + "}";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        out += name + "_bucket{" + sep + "le=\"" + num(bounds_[i]) + "\"} " +
               std::to_string(cumulative) + "\n";
    }
    out += name + "_bucket{" + sep + "le=\"+Inf\"} " + std::to_string(count()) + "\n";
    out += name + "_sum" + own + " " + num(sum()) + "\n";
    out += name + "_count" + own + " " + std::to_string(count()) + "\n";
}

PoolMetrics::PoolMetrics(std::string pool, std::shared_ptr<PoolObserver> next)
    : pool_(std::move(pool)), next_(std::move(next)), acquire_(kBounds), lease_(kBounds) {}

void PoolMetrics::on_acquire(const std::string& pool, std::chrono::nanoseconds waited) noexcept {
    acquire_.observe(seconds(waited));
    if (next_) next_->on_acquire(pool, waited);
}

void PoolMetrics::on_release(const std::string& pool, std::chrono::nanoseconds held) noexcept {
    lease_.observe(seconds(held));
    if (next_) next_->on_release(pool, held);
}

void PoolMetrics::on_timeout(const std::string& pool, std::string_view limit) noexcept {
    timeouts_.fetch_add(1, std::memory_order_relaxed);
    if (next_) next_->on_timeout(pool, limit);
}

void PoolMetrics::on_create(const std::string& pool, std::chrono::nanoseconds took, bool ok) noexcept {
    if (next_) next_->on_create(pool, took, ok);
}

void PoolMetrics::on_destroy(const std::string& pool, std::string_view reason) noexcept {
    if (next_) next_->on_destroy(pool, reason);
}

Metrics::Metrics() : query_(kBounds) {}

void Metrics::observe_query(double seconds, bool ok) noexcept {
    query_.observe(seconds);
    (ok ? ok_ : failed_).fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<PoolMetrics> Metrics::pool(const std::string& name, std::shared_ptr<PoolObserver> next) {
    auto m = std::make_shared<PoolMetrics>(name, std::move(next));
    std::lock_guard<std::mutex> lk(pools_mu_);
    pools_.push_back(m);
    return m;
}

std::string Metrics::render(const std::vector<std::pair<std::string, PoolStats>>& pools) const {
    std::string out;
    auto gauge = [&](const char* name, const char* help, std::size_t PoolStats::*field) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
        for (const auto& [pool, st] : pools)
            out += std::string(name) + "{" + pool_label(pool) + "} " + std::to_string(st.*field) + "\n";
    };
    gauge("pothos_database_connections_active", "Connections leased to callers.", &PoolStats::borrowed);
    gauge("pothos_database_connections_idle", "Idle pooled connections.", &PoolStats::available);
    gauge("pothos_database_connections_waiting", "Callers waiting for a connection.", &PoolStats::pending);
    std::vector<std::shared_ptr<PoolMetrics>> observed;
    {
        std::lock_guard<std::mutex> lk(pools_mu_);
        observed = pools_;
    }
    Histogram::render_header(out, "pothos_database_pool_acquisition_duration_seconds",
                             "Time to acquire a pooled connection.");
    for (const auto& m : observed)
        m->acquisitions().render(out, "pothos_database_pool_acquisition_duration_seconds",
                                 pool_label(m->pool()));
    Histogram::render_header(out, "pothos_database_pool_lease_duration_seconds",
                             "Time a lease held its connection.");
    for (const auto& m : observed)
        m->leases().render(out, "pothos_database_pool_lease_duration_seconds", pool_label(m->pool()));
    out += "# HELP pothos_database_pool_timeouts_total Acquisitions that gave up.\n"
           "# TYPE pothos_database_pool_timeouts_total counter\n";
    for (const auto& m : observed)
        out += "pothos_database_pool_timeouts_total{" + pool_label(m->pool()) + "} " +
               std::to_string(m->timeouts()) + "\n";
    Histogram::render_header(out, "pothos_database_query_duration_seconds", "Statement duration.");
    query_.render(out, "pothos_database_query_duration_seconds");
    out += "# HELP pothos_database_queries_total Statements run, by outcome.\n"
           "# TYPE pothos_database_queries_total counter\n";
    out += "pothos_database_queries_total{status=\"success\"} " + std::to_string(queries(true)) + "\n";
    out += "pothos_database_queries_total{status=\"error\"} " + std::to_string(queries(false)) + "\n";
    return out;
}

}  // namespace pothos
