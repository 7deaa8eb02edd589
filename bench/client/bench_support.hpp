// Shared helpers of the client benchmarks: the database URL and a counter of
// the cores the benchmark threads actually got (thread CPU time / wall time,
// summed over threads by Google Benchmark).
#pragma once

#include <time.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <pothos/config.hpp>

namespace pothos::bench {

inline std::string database_url() {
    const char* u = std::getenv("DATABASE_URL");
    if (!u || !*u) throw std::runtime_error("set DATABASE_URL to run the client benchmarks");
    return u;
}

// A client configuration on the benchmark database with a pool of max connections.
inline Config client_config(std::size_t max) {
    Config cfg;
    cfg.conninfo = database_url();
    cfg.pool.max = max;
    return cfg;
}

// One raw libpq connection: the baselines.
class RawConnection {
public:
    RawConnection() : conn_(PQconnectdb(database_url().c_str())) {
        if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
    }
    ~RawConnection() { PQfinish(conn_); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;
    PGconn* get() const noexcept { return conn_; }

private:
    PGconn* conn_;
};

class CoreMeter {
public:
    CoreMeter() : wall_(std::chrono::steady_clock::now()), cpu_(thread_cpu()) {}
    // Google Benchmark times each thread only while it iterates, which
    // overstates throughput when threads do not actually run at the same
    // time. The span measured here runs from before the start barrier to
    // after the end barrier, so it covers the whole concurrent run:
    // wall_ns_per_op is that span over all operations of all threads.
    void report(benchmark::State& state) const {
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
        state.counters["cores"] = wall > 0 ? (thread_cpu() - cpu_) / wall : 0;
        const double ops = static_cast<double>(state.iterations()) * state.threads();
        state.counters["wall_ns_per_op"] =
            benchmark::Counter(ops > 0 ? wall * 1e9 / ops : 0, benchmark::Counter::kAvgThreads);
    }

private:
    static double thread_cpu() {
        timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
    }
    std::chrono::steady_clock::time_point wall_;
    double cpu_;
};

}  // namespace pothos::bench
