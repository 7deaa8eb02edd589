// nplus1_guc.h -- the pothos_perf.n_plus_one.* parameters and
// pothos_perf.request_id.
#pragma once

namespace pothos::ext {

// pothos_perf.n_plus_one, .min_repeats and .idle_gap are fields of
// g_np_hot (nplus1_hot.h), with the rest of the per-statement state.
extern int np_guc_min_occurrences;
extern int np_guc_window_size;
extern int np_guc_max_findings;
extern char* np_guc_request_id;

void define_nplus1_gucs();

}  // namespace pothos::ext
