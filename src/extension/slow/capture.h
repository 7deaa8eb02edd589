// slow/capture.h -- the observer that fills the slow-query ring
// (slow/shmem.h): executions at or above pothos_perf.slow_query_threshold are
// recorded with their plan (when capture_plans), parameters (when
// capture_params), first recommendations, and optionally logged. Below the
// threshold the observer costs one comparison.
#pragma once

#include "extension/hooks/events.h"
#include "extension/slow/guc.h"

namespace pothos::ext {

// Records one slow execution (the part behind the threshold test).
void slow_capture(const StmtEvent& ev);

// The observer: below the threshold (or with the threshold at -1) it is one
// comparison, inlined into the dispatcher.
inline void slow_statement_end(const StmtEvent& ev) {
    if (ev.exec_ms < (double) slow_guc_threshold_ms || slow_guc_threshold_ms < 0) return;
    slow_capture(ev);
}

}  // namespace pothos::ext
