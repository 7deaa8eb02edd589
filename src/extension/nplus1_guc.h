// nplus1_guc.h -- the pothos_perf.n_plus_one.* parameters and
// pothos_perf.request_id.
#pragma once

namespace pothos::ext {

extern bool np_guc_enabled;
extern int np_guc_min_repeats;
extern int np_guc_idle_gap_ms;
extern int np_guc_min_occurrences;
extern int np_guc_window_size;
extern int np_guc_max_findings;
extern char* np_guc_request_id;

void define_nplus1_gucs();

}  // namespace pothos::ext
