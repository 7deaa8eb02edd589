// stat_counters.cpp -- see stat_counters.h.
#include "core/stat_counters.h"

#include "core/hot.h"

#include <cmath>
#include <cstring>

namespace pothos::core {

POTHOS_HOT void IoUsage::add(const IoUsage& o) {
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

POTHOS_HOT void TimeStats::add(double ms) {
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

double TimeStats::stddev() const {
    return n > 1 ? std::sqrt(m2 / static_cast<double>(n)) : 0.0;
}

void StatCounters::clear(int64_t now) {
    std::memset(this, 0, sizeof *this);
    first_seen = last_seen = now;
}

POTHOS_HOT void StatCounters::add_exec(double ms, int64_t nrows, const IoUsage& usage, bool slow, int64_t now) {
    calls++;
    rows += nrows;
    if (slow) slow_calls++;
    exec.add(ms);
    exec_hist.add(ms);
    io.add(usage);
    last_seen = now;
}

void StatCounters::add_plan(double ms, const IoUsage& usage, int64_t now) {
    plans++;
    plan.add(ms);
    io.add(usage);
    last_seen = now;
}

void StatCounters::add_error(int64_t now) {
    errors++;
    last_seen = now;
}

}  // namespace pothos::core
