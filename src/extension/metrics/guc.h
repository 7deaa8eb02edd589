// metrics/guc.h -- the parameters of the metrics endpoint.
#pragma once

namespace pothos::ext {

extern char* metrics_guc_listen;
extern char* metrics_guc_database;

// Called from _PG_init before the prefix is reserved.
void metrics_define_gucs();

// True when pothos_perf.metrics_listen asks for the HTTP endpoint.
bool metrics_worker_enabled();

}  // namespace pothos::ext
