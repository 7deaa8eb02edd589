// nplus1/guc.h -- the pothos_perf.n_plus_one.* parameters and
// pothos_perf.request_id.
#pragma once

namespace pothos::ext {

// pothos_perf.n_plus_one, .min_repeats and .idle_gap are fields of
// g_nplus1_hot (nplus1/hot.h), with the rest of the per-statement state.
extern int nplus1_guc_min_occurrences;
extern int nplus1_guc_window_size;
extern int nplus1_guc_max_findings;
extern double nplus1_guc_sample_rate;
extern char* nplus1_guc_request_id;

void nplus1_define_gucs();

}  // namespace pothos::ext
