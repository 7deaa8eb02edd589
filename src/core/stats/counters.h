// stats/counters.h -- what is kept per statement fingerprint, and how one
// execution or one planning is added to it. Plain data: it lives in shared
// memory and in the statistics file.
#pragma once

#include <cstdint>

#include "core/stats/histogram.h"

namespace pothos::core {

// The identity of a statement entry, as in pg_stat_statements.
struct StatKey {
    uint32_t userid;
    uint32_t dbid;
    uint64_t queryid;
    uint32_t toplevel;  // 0 or 1 (a full word: no padding bytes to compare)
    uint32_t pad;       // always 0

    bool operator==(const StatKey& o) const {
        return userid == o.userid && dbid == o.dbid && queryid == o.queryid && toplevel == o.toplevel;
    }
};
static_assert(sizeof(StatKey) == 24, "StatKey must have no hidden padding");

// The key's hash (the store's index). Inline: every statement computes it,
// and a call would add its own code lines to the per-statement path. The
// query id is already a well-mixed 64-bit hash; one multiply-xorshift round
// folds the other fields in.
inline uint32_t hash_key(const StatKey& key) noexcept {
    uint64_t h = key.queryid ^ (((static_cast<uint64_t>(key.userid) << 32) | key.dbid) * 0x9e3779b97f4a7c15ULL) ^
                 (static_cast<uint64_t>(key.toplevel) * 0xc2b2ae3d27d4eb4fULL);
    h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return static_cast<uint32_t>(h);
}

// Buffer and WAL usage of one execution (the difference of the backend's
// counters around it).
struct IoUsage {
    int64_t shared_blks_hit, shared_blks_read, shared_blks_dirtied, shared_blks_written;
    int64_t local_blks_hit, local_blks_read, local_blks_dirtied, local_blks_written;
    int64_t temp_blks_read, temp_blks_written;
    double blk_read_time_ms, blk_write_time_ms;
    int64_t wal_records, wal_fpi;
    uint64_t wal_bytes;

    void add(const IoUsage& o) noexcept;
};

// Running mean and variance (Welford), with min and max.
struct TimeStats {
    int64_t n;
    double total, min, max, mean, m2;

    void add(double ms) noexcept;
    double stddev() const noexcept;  // population standard deviation, 0 for n < 2
};

struct StatCounters {
    // Written by every recorded execution, first: with the entry's header
    // they fill the entry's first four cache lines (stats/table.h).
    int64_t calls;       // completed executions
    int64_t rows;        // rows returned or affected
    int64_t slow_calls;  // executions at or above the slow-query threshold
    int64_t last_seen;   // PostgreSQL TimestampTz (microseconds since 2000)
    TimeStats exec;      // milliseconds
    IoUsage io;          // summed over executions and plannings
    // Written by errors and plannings only.
    int64_t errors;      // executions (or plannings) that ended in an error
    int64_t plans;       // completed plannings (track_planning)
    TimeStats plan;      // milliseconds
    int64_t first_seen;
    LatencyHistogram exec_hist;

    void clear(int64_t now) noexcept;
    void add_exec(double ms, int64_t rows, const IoUsage& io, bool slow, int64_t now) noexcept;
    void add_plan(double ms, const IoUsage& io, int64_t now) noexcept;
    void add_error(int64_t now) noexcept;

    // Percentile of execution time (q in [0, 1]), see LatencyHistogram.
    double exec_percentile(double q) const noexcept { return exec_hist.quantile(q, exec.min, exec.max); }
};

// Whether counters hold together the way clear, add_exec, add_plan and
// add_error leave them (counters read back from a file are checked with it):
// no negative count; calls == exec.n == the histogram's total; plans ==
// plan.n; slow_calls <= calls; times finite and not negative, with
// min <= mean <= max (up to rounding) once there is a sample.
bool counters_consistent(const StatCounters& c) noexcept;

}  // namespace pothos::core
