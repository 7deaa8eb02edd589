// metrics/render_bridge.h -- core::render_metrics for the glue: the store's
// rows and a few numbers in, the Prometheus text out (the boundary rules:
// guard.h).
#pragma once

#include "extension/common/pg.h"

#include "extension/common/guard.h"
#include "extension/stats/store.h"

namespace pothos::ext {

// The optional gauges as a flag and a value.
struct MetricsArgs {
    bool has_active;
    int64 active;
    bool has_idle;
    int64 idle;
    bool has_nplus1;
    int64 nplus1_findings;
    bool has_nplus1_saved;
    int64 nplus1_saved;  // round trips the findings would save
    bool has_recommendations;
    int64 recommendations;
    double slow_threshold_ms;
    const StoreRow* rows;  // with their texts
    uint32 nrows;
};
POTHOS_PLAIN(MetricsArgs);

// The metrics text in *out (palloc'd); false when rendering failed (the
// message in *err).
bool metrics_render(const MetricsArgs* args, char** out, CppError* err) noexcept;

}  // namespace pothos::ext
