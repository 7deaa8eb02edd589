// slow/guc.cpp -- see slow/guc.h.
#include "extension/common/pg.h"

extern "C" {
#include "utils/guc.h"
}

#include <climits>

#include "extension/slow/guc.h"

namespace pothos::ext {

int slow_guc_threshold_ms = 1000;
int slow_guc_max_queries = 200;
bool slow_guc_capture_plans = true;
bool slow_guc_capture_params = false;
bool slow_guc_log = false;

void slow_define_gucs() {
    DefineCustomIntVariable("pothos_perf.slow_query_threshold",
                            "Executions at or above this duration count as slow (0: every one, -1: none).",
                            NULL, &slow_guc_threshold_ms, 1000, -1, INT_MAX, PGC_SUSET,
                            GUC_UNIT_MS, NULL, NULL, NULL);
    DefineCustomIntVariable("pothos_perf.max_slow_queries",
                            "Slow executions kept in the shared-memory ring (the oldest are overwritten).",
                            NULL, &slow_guc_max_queries, 200, 0, 100000, PGC_POSTMASTER, 0,
                            NULL, NULL, NULL);
    DefineCustomBoolVariable("pothos_perf.capture_plans",
                             "Keeps the EXPLAIN plan of slow executions (taken only for them).",
                             NULL, &slow_guc_capture_plans, true, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomBoolVariable("pothos_perf.capture_params",
                             "Keeps the bound parameter values of slow executions.",
                             "Values may be confidential; only superusers and the statement's own role see them.",
                             &slow_guc_capture_params, false, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomBoolVariable("pothos_perf.log_slow_queries",
                             "Writes one server log line per slow execution.",
                             NULL, &slow_guc_log, false, PGC_SUSET, 0, NULL, NULL, NULL);
}

}  // namespace pothos::ext
