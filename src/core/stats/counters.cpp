// stats/counters.cpp -- see stats/counters.h.
#include "core/stats/counters.h"

#include "core/common/hot.h"

#include <cmath>
#include <cstring>

namespace pothos::core {

POTHOS_HOT void IoUsage::add(const IoUsage& o) noexcept {
    shared_blks_hit += o.shared_blks_hit;
    shared_blks_read += o.shared_blks_read;
    shared_blks_dirtied += o.shared_blks_dirtied;
    shared_blks_written += o.shared_blks_written;
    local_blks_hit += o.local_blks_hit;
    local_blks_read += o.local_blks_read;
    local_blks_dirtied += o.local_blks_dirtied;
    local_blks_written += o.local_blks_written;
    temp_blks_read += o.temp_blks_read;
    temp_blks_written += o.temp_blks_written;
    blk_read_time_ms += o.blk_read_time_ms;
    blk_write_time_ms += o.blk_write_time_ms;
    wal_records += o.wal_records;
    wal_fpi += o.wal_fpi;
    wal_bytes += o.wal_bytes;
}

POTHOS_HOT void TimeStats::add(double ms) noexcept {
    n++;
    total += ms;
    if (n == 1) {
        min = max = mean = ms;
        m2 = 0;
        return;
    }
    if (ms < min) min = ms;
    if (ms > max) max = ms;
    double delta = ms - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (ms - mean);
}

double TimeStats::stddev() const noexcept {
    return n > 1 ? std::sqrt(m2 / static_cast<double>(n)) : 0.0;
}

void StatCounters::clear(int64_t now) noexcept {
    std::memset(this, 0, sizeof *this);
    first_seen = last_seen = now;
}

POTHOS_HOT void StatCounters::add_exec(double ms, int64_t nrows, const IoUsage& usage, bool slow, int64_t now) noexcept {
    calls++;
    rows += nrows;
    if (slow) slow_calls++;
    exec.add(ms);
    exec_hist.add(ms);
    io.add(usage);
    last_seen = now;
}

void StatCounters::add_plan(double ms, const IoUsage& usage, int64_t now) noexcept {
    plans++;
    plan.add(ms);
    io.add(usage);
    last_seen = now;
}

void StatCounters::add_error(int64_t now) noexcept {
    errors++;
    last_seen = now;
}

namespace {

bool time_ok(double v) { return std::isfinite(v) && v >= 0; }

bool time_stats_consistent(const TimeStats& t) {
    if (t.n < 0) return false;
    if (t.n == 0) return t.total == 0 && t.min == 0 && t.max == 0 && t.mean == 0 && t.m2 == 0;
    if (!time_ok(t.total) || !time_ok(t.min) || !time_ok(t.max) || !std::isfinite(t.mean) || !std::isfinite(t.m2))
        return false;
    // The running mean and sum of squares are rounded at every step.
    double slack = 1e-9 * (t.max + 1.0);
    return t.min <= t.max && t.mean >= t.min - slack && t.mean <= t.max + slack &&
           t.m2 >= -slack * (t.max + 1.0) * static_cast<double>(t.n) &&
           t.total >= t.min * static_cast<double>(t.n) * (1.0 - 1e-9) - slack &&
           t.total <= t.max * static_cast<double>(t.n) * (1.0 + 1e-9) + slack;
}

bool io_consistent(const IoUsage& u) {
    const int64_t counts[] = {u.shared_blks_hit, u.shared_blks_read, u.shared_blks_dirtied, u.shared_blks_written,
                              u.local_blks_hit,  u.local_blks_read,  u.local_blks_dirtied,  u.local_blks_written,
                              u.temp_blks_read,  u.temp_blks_written, u.wal_records,        u.wal_fpi};
    for (int64_t n : counts)
        if (n < 0) return false;
    return time_ok(u.blk_read_time_ms) && time_ok(u.blk_write_time_ms);
}

}  // namespace

bool counters_consistent(const StatCounters& c) noexcept {
    if (c.calls < 0 || c.rows < 0 || c.slow_calls < 0 || c.slow_calls > c.calls || c.errors < 0 || c.plans < 0)
        return false;
    if (c.exec.n != c.calls || c.plan.n != c.plans) return false;
    if (c.exec_hist.total() != static_cast<uint64_t>(c.calls)) return false;
    return time_stats_consistent(c.exec) && time_stats_consistent(c.plan) && io_consistent(c.io);
}

}  // namespace pothos::core
