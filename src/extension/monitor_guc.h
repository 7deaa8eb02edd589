// monitor_guc.h -- the GUCs of the slow-query capture and the metrics
// endpoint (issue 3). pothos_perf.slow_query_threshold itself is in guc.h.
#pragma once

namespace pothos::ext {

extern int mon_guc_max_slow_queries;
extern bool mon_guc_capture_plans;
extern bool mon_guc_capture_params;
extern bool mon_guc_log_slow_queries;
extern char* mon_guc_metrics_listen;
extern char* mon_guc_metrics_database;

// Called from _PG_init before the prefix is reserved.
void monitor_define_gucs();

// True when pothos_perf.metrics_listen asks for the HTTP endpoint.
bool monitor_metrics_enabled();

}  // namespace pothos::ext
