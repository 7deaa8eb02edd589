// metrics/guc.cpp -- see metrics/guc.h.
#include "extension/common/pg.h"

extern "C" {
#include "utils/guc.h"
}

#include "extension/metrics/guc.h"

namespace pothos::ext {

char* metrics_guc_listen = nullptr;
char* metrics_guc_database = nullptr;

void metrics_define_gucs() {
    DefineCustomStringVariable("pothos_perf.metrics_listen",
                               "Address of the Prometheus metrics endpoint: port, or host:port; empty: off.",
                               "A bare port listens on 127.0.0.1 only.",
                               &metrics_guc_listen, "", PGC_POSTMASTER, 0, NULL, NULL, NULL);
    DefineCustomStringVariable("pothos_perf.metrics_database",
                               "Database the metrics endpoint's worker connects to.",
                               NULL, &metrics_guc_database, "postgres", PGC_POSTMASTER, 0,
                               NULL, NULL, NULL);
}

bool metrics_worker_enabled() { return metrics_guc_listen != nullptr && metrics_guc_listen[0] != '\0'; }

}  // namespace pothos::ext
