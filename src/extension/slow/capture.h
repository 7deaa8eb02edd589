// slow/capture.h -- the slow-query ring in shared memory (core/slow/ring.h),
// with the rate window health() uses, and the observer that fills the ring:
// executions at or above
// pothos_perf.slow_query_threshold are recorded with their plan (when
// capture_plans), parameters (when capture_params), first recommendations,
// and optionally logged. Below the threshold the observer costs one
// comparison.
#pragma once

#include "extension/hooks/events.h"
#include "extension/slow/guc.h"
#include "core/health/rate_window.h"
#include "core/slow/ring.h"

extern "C" {
#include "storage/lwlock.h"
}

namespace pothos::ext {

void slow_shmem_request();
void slow_shmem_startup();
bool slow_ready();
// ERROR unless the ring and the statement store are in shared memory.
void slow_require_ready();
core::SlowRing& slow_ring();
LWLock* slow_lock();
// Samples of the statements executed so far (under slow_lock, exclusive).
core::RateWindow& slow_rate_window();

// Records one slow execution (the part behind the threshold test).
void slow_capture(const StmtEvent& ev);

// The observer: below the threshold (or with the threshold at -1) it is one
// comparison, inlined into the dispatcher.
inline void slow_statement_end(const StmtEvent& ev) {
    if (ev.exec_ms < (double) slow_guc_threshold_ms || slow_guc_threshold_ms < 0) return;
    slow_capture(ev);
}

}  // namespace pothos::ext
