// guc.h -- the pothos_perf.* configuration parameters.
#pragma once

namespace pothos::ext {

enum TrackLevel { TRACK_NONE, TRACK_TOP, TRACK_ALL };

extern bool guc_enabled;
extern int guc_max_statements;
extern int guc_max_query_text;
extern int guc_track;
extern bool guc_track_utility;
extern bool guc_track_planning;
extern bool guc_save;
extern int guc_slow_query_threshold_ms;

void define_gucs();
// Call once, after all modules have defined their GUCs.
void reserve_guc_prefix();

}  // namespace pothos::ext
