// slow/aggregate_bridge.cpp -- see slow/aggregate_bridge.h.
#include "extension/slow/aggregate_bridge.h"

#include "core/slow/aggregate.h"
#include "extension/common/palloc_copy.h"

namespace pothos::ext {

bool slow_aggregate(const core::SlowRing* ring, double threshold_ms, int max_rows, SlowGroupC** groups, int* n,
                    CppError* err) noexcept {
    *n = 0;
    return cpp_call(err, [&] {
        std::vector<core::SlowGroup> g = core::aggregate_slow(*ring, threshold_ms, (size_t) max_rows);
        *groups = palloc_items<SlowGroupC>(g.size() + 1);
        for (const core::SlowGroup& s : g) {
            SlowGroupC* c = &(*groups)[(*n)++];
            c->userid = s.userid;
            c->dbid = s.dbid;
            c->queryid = s.queryid;
            c->encoding = s.encoding;
            c->query = palloc_copy(s.query);
            c->application_name = palloc_copy(s.application_name);
            c->max_ms = s.max_duration_ms;
            c->avg_ms = s.average_duration_ms();
            c->count = s.execution_count;
            c->rows = s.rows_of_slowest;
            c->last = s.last_occurred_at;
            c->plan = palloc_copy(s.plan);
            c->params = palloc_copy(s.params);
            c->recs = palloc_copy(s.recommendations);
        }
    });
}

}  // namespace pothos::ext
