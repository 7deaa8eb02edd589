// advisor/guc.h -- the pothos_perf.advisor_* configuration parameters.
#pragma once

namespace pothos::ext {

extern double advisor_guc_sample_rate;    // share of executions instrumented and walked
extern int advisor_guc_max_predicates;    // pothos_perf.advisor_max_predicates: entries of the collection table (restart)
extern double advisor_guc_min_improvement;  // % for index_recommendations
extern double advisor_guc_max_wal_increase;  // % more WAL per inserted row allowed on a write-heavy table

// Call before stats_define_gucs() (which reserves the prefix).
void advisor_define_gucs();

}  // namespace pothos::ext
