// slow/guc.h -- the parameters of slow-query capture.
#pragma once

namespace pothos::ext {

extern int slow_guc_threshold_ms;  // pothos_perf.slow_query_threshold; read on every statement
extern int slow_guc_max_queries;
extern bool slow_guc_capture_plans;
extern bool slow_guc_capture_params;
extern bool slow_guc_log;

// Called from _PG_init before the prefix is reserved.
void slow_define_gucs();

}  // namespace pothos::ext
