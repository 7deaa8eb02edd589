// nplus1/guc.cpp -- defines the N+1 detector's parameters.
#include "extension/common/pg.h"

extern "C" {
#include "utils/guc.h"
}

#include "core/nplus1/tag.h"
#include "extension/nplus1/guc.h"
#include "extension/nplus1/hot.h"
#include "extension/nplus1/provenance.h"

namespace pothos::ext {

Nplus1Hot g_nplus1_hot = {};
int nplus1_guc_min_occurrences = 3;
int nplus1_guc_window_size = 512;
int nplus1_guc_max_findings = 1000;
double nplus1_guc_sample_rate = 1.0;
char* nplus1_guc_request_id = nullptr;

namespace {

// Keeps the per-statement path from reading the string: a flag and its hash.
void assign_request_id(const char* newval, void* extra) {
    (void) extra;
    g_nplus1_hot.request_id_set = newval != nullptr && newval[0] != '\0';
    g_nplus1_hot.request_id_tag = g_nplus1_hot.request_id_set ? core::nplus1_hash_bytes(newval, strlen(newval)) | 1 : 0;
}

// The next candidate draws its skip for the new rate.
void assign_sample_rate(double newval, void* extra) {
    (void) newval;
    (void) extra;
    nplus1_sample_rate_changed();
}

}  // namespace

void nplus1_define_gucs() {
    // One dot per name: postgresql.conf's syntax allows no more.
    DefineCustomBoolVariable("pothos_perf.n_plus_one",
                             "Detects N+1 query loops and their relatives.", NULL,
                             &g_nplus1_hot.enabled, true, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomIntVariable("pothos_perf.n_plus_one_min_repeats",
                            "Executions of one statement in a unit of work that make a loop.",
                            "Also the rows its parent query must have returned.",
                            &g_nplus1_hot.min_repeats, 5, 2, 100000, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomIntVariable("pothos_perf.n_plus_one_idle_gap",
                            "A pause between statements longer than this ends a unit of work.",
                            NULL, &g_nplus1_hot.idle_gap_ms, 500, 1, 3600 * 1000, PGC_SUSET, GUC_UNIT_MS,
                            NULL, NULL, NULL);
    DefineCustomIntVariable("pothos_perf.n_plus_one_min_occurrences",
                            "Units of work a finding must be seen in before it is listed.",
                            NULL, &nplus1_guc_min_occurrences, 3, 1, 1000000, PGC_USERSET, 0, NULL, NULL, NULL);
    DefineCustomIntVariable("pothos_perf.n_plus_one_window_size",
                            "Recent statements each backend keeps in the detection window (its own ring).",
                            "Rounded up to a power of two; each backend overwrites its oldest first. Shared "
                            "memory: 64 bytes per statement and backend (max_connections plus workers).",
                            &nplus1_guc_window_size, 512, 64, 1 << 20, PGC_POSTMASTER, 0, NULL, NULL, NULL);
    DefineCustomIntVariable("pothos_perf.n_plus_one_max_findings",
                            "Findings kept in shared memory; the least recently seen are evicted.",
                            NULL, &nplus1_guc_max_findings, 1000, 10, 100000, PGC_POSTMASTER, 0, NULL, NULL, NULL);
    DefineCustomRealVariable("pothos_perf.n_plus_one_sample_rate",
                             "Share of executions of candidate parent queries whose rows are hashed.",
                             "A lookup counts as a loop iteration only after a hashed parent execution "
                             "that returned its key; 0 turns n_plus_one detection off.",
                             &nplus1_guc_sample_rate, 1.0, 0.0, 1.0, PGC_SUSET, 0, NULL, assign_sample_rate, NULL);
    DefineCustomStringVariable("pothos_perf.request_id",
                               "Request tag of the current unit of work (statements with one tag are grouped, "
                               "on any connection).",
                               "A sqlcommenter traceparent comment on a statement takes precedence.",
                               &nplus1_guc_request_id, "", PGC_USERSET, 0, NULL, assign_request_id, NULL);
}

}  // namespace pothos::ext
