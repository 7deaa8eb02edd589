// slow/aggregate.h -- the slow executions of a ring (slow/ring.h) grouped per
// fingerprint, as pothos_perf.get_slow_queries() lists them. Allocates: may
// throw std::bad_alloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/slow/ring.h"

namespace pothos::core {

// One row of get_slow_queries(): the executions of one (userid, dbid,
// queryid) aggregated.
struct SlowGroup {
    uint32_t userid = 0;
    uint32_t dbid = 0;
    uint64_t queryid = 0;
    int32_t encoding = 0;           // of the texts (one database: one encoding)
    std::string query;              // text of the latest execution
    std::string application_name;   // of the latest execution
    double max_duration_ms = 0;     // the slowest
    double total_duration_ms = 0;
    int64_t last_occurred_at = 0;   // the latest
    int64_t execution_count = 0;
    int64_t rows_of_slowest = 0;
    std::string plan;               // of the slowest execution that has one
    std::string params;             // of the slowest execution that has them
    std::vector<std::string> recommendations;  // of the slowest execution that has them
    double average_duration_ms() const {
        return execution_count ? total_duration_ms / static_cast<double>(execution_count) : 0;
    }
};

// Groups the held records with duration_ms >= min_duration_ms per
// fingerprint, slowest group first (ties: latest first, then queryid), at
// most max_rows groups (0 = none).
std::vector<SlowGroup> aggregate_slow(const SlowRing& ring, double min_duration_ms,
                                      std::size_t max_rows);

}  // namespace pothos::core
