// slow/aggregate.cpp -- see slow/aggregate.h.
#include "core/slow/aggregate.h"

#include <algorithm>
#include <cstring>

namespace pothos::core {

std::vector<SlowGroup> aggregate_slow(const SlowRing& ring, double min_duration_ms,
                                      std::size_t max_rows) {
    std::vector<SlowGroup> groups;
    uint32_t n = ring.size();
    for (uint32_t i = 0; i < n; i++) {
        const SlowRecordHead& r = ring.record(i);
        if (r.duration_ms < min_duration_ms) continue;
        SlowGroup* g = nullptr;
        for (SlowGroup& x : groups) {
            if (x.userid == r.userid && x.dbid == r.dbid && x.queryid == r.queryid) {
                g = &x;
                break;
            }
        }
        if (g == nullptr) {
            groups.emplace_back();
            g = &groups.back();
            g->userid = r.userid;
            g->dbid = r.dbid;
            g->queryid = r.queryid;
            g->encoding = r.encoding;
        }
        bool slowest = g->execution_count == 0 || r.duration_ms > g->max_duration_ms;
        g->execution_count++;
        g->total_duration_ms += r.duration_ms;
        if (r.occurred_at >= g->last_occurred_at || g->execution_count == 1) {
            g->last_occurred_at = r.occurred_at;
            g->query.assign(ring.text(i), r.text_len);
            g->application_name = r.application_name;
        }
        if (slowest) {
            g->max_duration_ms = r.duration_ms;
            g->rows_of_slowest = r.rows;
        }
        if (r.plan_len && (slowest || g->plan.empty())) g->plan.assign(ring.plan(i), r.plan_len);
        if (r.params_len && (slowest || g->params.empty()))
            g->params.assign(ring.params(i), r.params_len);
        if (r.recs_len && (slowest || g->recommendations.empty())) {
            g->recommendations.clear();
            const char* p = ring.recommendations(i);
            const char* end = p + r.recs_len;
            while (p < end) {
                const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
                const char* stop = nl ? nl : end;
                if (stop > p) g->recommendations.emplace_back(p, stop);
                p = nl ? nl + 1 : end;
            }
        }
    }
    std::sort(groups.begin(), groups.end(), [](const SlowGroup& a, const SlowGroup& b) {
        if (a.max_duration_ms != b.max_duration_ms) return a.max_duration_ms > b.max_duration_ms;
        if (a.last_occurred_at != b.last_occurred_at) return a.last_occurred_at > b.last_occurred_at;
        return a.queryid < b.queryid;
    });
    if (groups.size() > max_rows) groups.resize(max_rows);
    return groups;
}

}  // namespace pothos::core
