// slow/shmem.h -- the slow-query ring in shared memory (core/slow/ring.h)
// with the rate window health() samples, and their LWLock. Only this module
// takes the lock: the capture pushes through slow_push, the SQL functions
// read a copy, reset, or sample the numbers health() reports.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "datatype/timestamp.h"
}

#include "core/slow/ring.h"
#include "extension/common/guard.h"

namespace pothos::ext {

// Bytes kept of a captured plan and of its parameter values.
constexpr uint32 kSlowPlanCap = 8192;
constexpr uint32 kSlowParamsCap = 1024;

void slow_shmem_request();
void slow_shmem_startup();
bool slow_ready();
// Bytes kept of a statement's text.
uint32 slow_text_cap();

// Stores one slow execution (under the exclusive lock).
void slow_push(const core::SlowInput& in);

// A copy of the ring in palloc'd memory, taken under the shared lock.
POTHOS_PLAIN(core::SlowRing);
core::SlowRing slow_snapshot();

// Forgets every record; returns how many there were.
int64 slow_reset();

// What health() reports: slow executions in the last hour, and statements
// per second over the recent window from calls, the store's total now
// (sampled here at most once per min_gap_us).
struct SlowNumbers {
    int64 last_hour;
    bool has_rate;
    double rate;
};
POTHOS_PLAIN(SlowNumbers);
SlowNumbers slow_numbers(TimestampTz now, int64 calls, int64 window_us, int64 min_gap_us);

}  // namespace pothos::ext
