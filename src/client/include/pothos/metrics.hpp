// Client metrics in Prometheus text format, with the seed's metric names:
//   pothos_database_connections_active / _idle / _waiting   (gauges, per pool)
//   pothos_database_pool_acquisition_duration_seconds       (histogram, per pool)
//   pothos_database_pool_lease_duration_seconds             (histogram, per pool)
//   pothos_database_pool_timeouts_total                     (counter, per pool)
//   pothos_database_query_duration_seconds{operation,model} (histogram)
//   pothos_database_queries_total{operation,model,status}   (counter)
//   pothos_database_slow_queries_total{threshold}           (counter)
// operation is the statement's verb (select, insert, update, delete, other),
// model its first table, lower-case and unqualified ("unknown" when none).
// A statement's text is classified once: the result is cached by the text's
// hash in a small direct-mapped table, so the common path neither allocates
// nor rescans. At most kMaxModels distinct model values are kept; later ones
// are counted as model="other". threshold is the slow-query threshold in
// milliseconds, as DB_SLOW_QUERY_THRESHOLD is given.
// Pool metrics carry the label pool="<name>" and are fed by the pools
// through PoolMetrics, a PoolObserver that passes every event on to the
// application's own observer, if any.
//
// Thread safety: Histogram, PoolMetrics and Metrics are thread-safe
// (lock-free counters); Metrics::pool() is meant for set-up time.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pothos/pool_observer.hpp>
#include <pothos/pool_stats.hpp>

namespace pothos {

// A lock-free histogram with fixed upper bounds in seconds.
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double seconds) noexcept;
    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
    double sum() const noexcept;
    // "# HELP" and "# TYPE" lines, once per metric name.
    static void render_header(std::string& out, const std::string& name, const std::string& help);
    // The series; labels: e.g. pool="primary" (without braces), or empty.
    void render(std::string& out, const std::string& name, const std::string& labels = {}) const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_ns_{0};
};

// One pool's metrics, recorded from its events.
class PoolMetrics final : public PoolObserver {
public:
    PoolMetrics(std::string pool, std::shared_ptr<PoolObserver> next);
    const std::string& pool() const noexcept { return pool_; }
    const Histogram& acquisitions() const noexcept { return acquire_; }
    const Histogram& leases() const noexcept { return lease_; }
    std::uint64_t timeouts() const noexcept { return timeouts_.load(std::memory_order_relaxed); }

    void on_acquire(const std::string& pool, std::chrono::nanoseconds waited) noexcept override;
    void on_release(const std::string& pool, std::chrono::nanoseconds held) noexcept override;
    void on_timeout(const std::string& pool, std::string_view limit) noexcept override;
    void on_create(const std::string& pool, std::chrono::nanoseconds took, bool ok) noexcept override;
    void on_destroy(const std::string& pool, std::string_view reason) noexcept override;

private:
    std::string pool_;
    std::shared_ptr<PoolObserver> next_;
    Histogram acquire_;
    Histogram lease_;
    std::atomic<std::uint64_t> timeouts_{0};
};

// A statement's labels: operation and model.
struct QueryLabels {
    std::string_view operation;
    std::string model;  // lower-case, unqualified; "unknown" when none
};
// Classifies by the first tokens only (verb, then the table after FROM, INTO
// or UPDATE); exposed for tests.
QueryLabels classify_query(std::string_view sql);

class Metrics {
public:
    static constexpr std::size_t kMaxModels = 50;

    Metrics();
    ~Metrics();
    // slow: the statement reached the slow-query threshold.
    void observe_query(std::string_view sql, double seconds, bool ok, bool slow) noexcept;
    // Unlabelled totals over all series.
    std::uint64_t queries(bool ok) const noexcept {
        return (ok ? ok_ : failed_).load(std::memory_order_relaxed);
    }
    std::uint64_t slow_queries() const noexcept { return slow_.load(std::memory_order_relaxed); }
    // The threshold label (milliseconds); set once at set-up time.
    void set_slow_threshold_ms(std::int64_t ms) noexcept { slow_threshold_ms_ = ms; }
    // The observer to give the pool named name; events go on to next.
    std::shared_ptr<PoolMetrics> pool(const std::string& name, std::shared_ptr<PoolObserver> next);
    // Pools are (name, stats) pairs, rendered as gauges labelled pool="name".
    std::string render(const std::vector<std::pair<std::string, PoolStats>>& pools) const;

private:
    struct Series;
    static constexpr std::size_t kOps = 5;                 // select insert update delete other
    static constexpr std::size_t kModelSlots = kMaxModels + 2;  // + unknown, other
    static constexpr std::size_t kCacheSize = 512;
    Series* series_for(std::string_view sql) noexcept;
    Series* classify_slow_path(std::string_view sql, std::uint64_t hash) noexcept;

    std::unique_ptr<std::atomic<Series*>[]> series_;  // kOps * kModelSlots, created lazily
    std::unique_ptr<std::atomic<std::uint64_t>[]> cache_;  // hash's high bits | series index + 1
    mutable std::mutex series_mu_;                      // creating series and models
    std::vector<std::unique_ptr<Series>> owned_;
    std::vector<std::string> models_;                   // index 0 "unknown", 1 "other"
    std::int64_t slow_threshold_ms_ = 1000;
    std::atomic<std::uint64_t> slow_{0};
    std::atomic<std::uint64_t> ok_{0};
    std::atomic<std::uint64_t> failed_{0};
    mutable std::mutex pools_mu_;
    std::vector<std::shared_ptr<PoolMetrics>> pools_;
};

}  // namespace pothos
