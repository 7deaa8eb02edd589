// monitor_guc.cpp -- see monitor_guc.h.
#include "extension/pg.h"

extern "C" {
#include "utils/guc.h"
}

#include "extension/monitor_guc.h"

namespace pothos::ext {

int mon_guc_max_slow_queries = 200;
bool mon_guc_capture_plans = true;
bool mon_guc_capture_params = false;
bool mon_guc_log_slow_queries = false;
char* mon_guc_metrics_listen = nullptr;
char* mon_guc_metrics_database = nullptr;

void monitor_define_gucs() {
    DefineCustomIntVariable("pothos_perf.max_slow_queries",
                            "Slow executions kept in the shared-memory ring (the oldest are overwritten).",
                            NULL, &mon_guc_max_slow_queries, 200, 0, 100000, PGC_POSTMASTER, 0,
                            NULL, NULL, NULL);
    DefineCustomBoolVariable("pothos_perf.capture_plans",
                             "Keeps the EXPLAIN plan of slow executions (taken only for them).",
                             NULL, &mon_guc_capture_plans, true, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomBoolVariable("pothos_perf.capture_params",
                             "Keeps the bound parameter values of slow executions.",
                             "Values may be confidential; only superusers and the statement's own role see them.",
                             &mon_guc_capture_params, false, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomBoolVariable("pothos_perf.log_slow_queries",
                             "Writes one server log line per slow execution.",
                             NULL, &mon_guc_log_slow_queries, false, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomStringVariable("pothos_perf.metrics_listen",
                               "Address of the Prometheus metrics endpoint: port, or host:port; empty: off.",
                               "A bare port listens on 127.0.0.1 only.",
                               &mon_guc_metrics_listen, "", PGC_POSTMASTER, 0, NULL, NULL, NULL);
    DefineCustomStringVariable("pothos_perf.metrics_database",
                               "Database the metrics endpoint's worker connects to.",
                               NULL, &mon_guc_metrics_database, "postgres", PGC_POSTMASTER, 0,
                               NULL, NULL, NULL);
}

bool monitor_metrics_enabled() { return mon_guc_metrics_listen != nullptr && mon_guc_metrics_listen[0] != '\0'; }

}  // namespace pothos::ext
