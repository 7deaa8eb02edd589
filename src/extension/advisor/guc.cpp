// advisor/guc.cpp -- defines the index advisor's parameters (one dot per
// name: postgresql.conf's syntax allows no more).
#include "extension/common/pg.h"

extern "C" {
#include "utils/guc.h"
}

#include "extension/advisor/collect.h"
#include "extension/advisor/guc.h"

namespace pothos::ext {

double advisor_guc_sample_rate = 0.05;
int advisor_guc_max_predicates = 4000;
double advisor_guc_min_improvement = 10.0;
double advisor_guc_max_wal_increase = 10.0;

namespace {

// A new rate starts a new gap (advisor/collect.h).
void assign_sample_rate(double newval, void* extra) {
    (void) newval;
    (void) extra;
    advisor_sample_rate_changed();
}

}  // namespace

void advisor_define_gucs() {
    DefineCustomRealVariable("pothos_perf.advisor_sample_rate",
                             "Share of statement executions the index advisor instruments and inspects.",
                             "0 turns collection off; an unsampled execution costs one decrement.",
                             &advisor_guc_sample_rate, 0.05, 0.0, 1.0, PGC_SUSET, 0, NULL, assign_sample_rate, NULL);
    DefineCustomIntVariable("pothos_perf.advisor_max_predicates",
                            "Column uses (filters, join keys, sort keys per statement) kept in shared memory.",
                            "When full, the least used entries are evicted (CLOCK). 0 turns collection off "
                            "and reserves no shared memory.",
                            &advisor_guc_max_predicates, 4000, 0, 1000000, PGC_POSTMASTER, 0, NULL, NULL,
                            NULL);
    DefineCustomRealVariable("pothos_perf.advisor_min_improvement",
                             "Minimum estimated improvement (percent) of the statements an index speeds up "
                             "for pothos_perf.index_recommendations.",
                             NULL, &advisor_guc_min_improvement, 10.0, 0.0, 100.0, PGC_USERSET, 0, NULL, NULL,
                             NULL);
    DefineCustomRealVariable("pothos_perf.advisor_max_wal_increase",
                             "Largest estimated increase (percent) of the WAL written per inserted row that an "
                             "index may cause on a table the workload writes more often than it reads.",
                             NULL, &advisor_guc_max_wal_increase, 10.0, 0.0, 1000.0, PGC_USERSET, 0, NULL, NULL,
                             NULL);
}

}  // namespace pothos::ext
