// stats/guc.h -- the statement store's parameters.
#pragma once

namespace pothos::ext {

enum TrackLevel { TRACK_NONE, TRACK_TOP, TRACK_ALL };

extern bool stats_guc_enabled;
extern int stats_guc_max_statements;
extern int stats_guc_max_query_text;
extern int stats_guc_track;
extern bool stats_guc_track_utility;
extern bool stats_guc_track_planning;
extern bool stats_guc_save;

void stats_define_gucs();
// Call once, after all modules have defined their GUCs.
void reserve_guc_prefix();

}  // namespace pothos::ext
