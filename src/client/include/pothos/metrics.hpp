// Client metrics in Prometheus text format, with the seed's metric names:
//   pothos_database_connections_active / _idle            (gauges, per pool)
//   pothos_database_pool_acquisition_duration_seconds     (histogram)
//   pothos_database_query_duration_seconds                (histogram)
//   pothos_database_queries_total{status="success|error"} (counter)
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <pothos/pool_stats.hpp>

namespace pothos {

// A lock-free histogram with fixed upper bounds in seconds.
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double seconds) noexcept;
    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
    double sum() const noexcept;
    void render(std::string& out, const std::string& name, const std::string& help) const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_ns_{0};
};

class Metrics {
public:
    Metrics();
    void observe_acquire(double seconds) noexcept { acquire_.observe(seconds); }
    void observe_query(double seconds, bool ok) noexcept;
    std::uint64_t queries(bool ok) const noexcept {
        return (ok ? ok_ : failed_).load(std::memory_order_relaxed);
    }
    // Pools are (name, stats) pairs, rendered as gauges labelled pool="name".
    std::string render(const std::vector<std::pair<std::string, PoolStats>>& pools) const;

private:
    Histogram acquire_;
    Histogram query_;
    std::atomic<std::uint64_t> ok_{0};
    std::atomic<std::uint64_t> failed_{0};
};

}  // namespace pothos
