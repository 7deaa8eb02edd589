// stats/guc.cpp -- defines the statement store's parameters (and reserves
// the pothos_perf prefix once every feature has defined its own).
#include "extension/common/pg.h"

extern "C" {
#include "utils/guc.h"
}

#include "extension/stats/guc.h"

namespace pothos::ext {

bool stats_guc_enabled = true;
int stats_guc_max_statements = 5000;
int stats_guc_max_query_text = 2048;
int stats_guc_track = TRACK_TOP;
bool stats_guc_track_utility = true;
bool stats_guc_track_planning = false;
bool stats_guc_save = true;

static const struct config_enum_entry track_options[] = {
    {"none", TRACK_NONE, false},
    {"top", TRACK_TOP, false},
    {"all", TRACK_ALL, false},
    {NULL, 0, false},
};

void stats_define_gucs() {
    DefineCustomBoolVariable("pothos_perf.enabled",
                             "Collects statement statistics.",
                             NULL, &stats_guc_enabled, true, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomIntVariable("pothos_perf.max_statements",
                            "Maximum number of statement fingerprints kept in shared memory.",
                            "When full, the least used entries are evicted (CLOCK).",
                            &stats_guc_max_statements, 5000, 100, 1000000, PGC_POSTMASTER, 0,
                            NULL, NULL, NULL);
    DefineCustomIntVariable("pothos_perf.max_query_text",
                            "Bytes of normalized query text kept per statement; longer texts are cut.",
                            NULL, &stats_guc_max_query_text, 2048, 64, 1024 * 1024, PGC_POSTMASTER,
                            GUC_UNIT_BYTE, NULL, NULL, NULL);
    DefineCustomEnumVariable("pothos_perf.track",
                             "Which statements are tracked: top (issued by clients), all (also nested), none.",
                             NULL, &stats_guc_track, TRACK_TOP, track_options, PGC_SUSET, 0,
                             NULL, NULL, NULL);
    DefineCustomBoolVariable("pothos_perf.track_utility",
                             "Tracks utility statements (DDL, COPY, SET, ...).",
                             NULL, &stats_guc_track_utility, true, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomBoolVariable("pothos_perf.track_planning",
                             "Tracks planning time and plan counts.",
                             NULL, &stats_guc_track_planning, false, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomBoolVariable("pothos_perf.save",
                             "Saves the statistics across server shutdowns.",
                             NULL, &stats_guc_save, true, PGC_SIGHUP, 0, NULL, NULL, NULL);
}

void reserve_guc_prefix() {
    // After every module has defined its parameters: unknown pothos_perf.*
    // names are then refused instead of silently kept as placeholders.
    MarkGUCPrefixReserved("pothos_perf");
}

}  // namespace pothos::ext
