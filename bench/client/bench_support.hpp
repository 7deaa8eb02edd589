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

namespace pothos::bench {

inline std::string database_url() {
    const char* u = std::getenv("DATABASE_URL");
    if (!u || !*u) throw std::runtime_error("set DATABASE_URL to run the client benchmarks");
    return u;
}

class CoreMeter {
public:
    CoreMeter() : wall_(std::chrono::steady_clock::now()), cpu_(thread_cpu()) {}
    void report(benchmark::State& state) const {
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
        state.counters["cores"] = wall > 0 ? (thread_cpu() - cpu_) / wall : 0;
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
