// A rate over a recent window from samples of a growing total (e.g. the
// statements executed so far), for health()'s queriesPerSecond. Plain data:
// it lives in shared memory; the caller locks.
#pragma once

#include <cstdint>

namespace pothos::core {

struct RateWindow {
    static constexpr int kSlots = 16;
    int64_t ts[kSlots];     // microseconds
    double total[kSlots];
    uint32_t next;
    uint32_t count;

    void clear() noexcept;
    // Keeps (now, total) as a sample when the newest one is at least
    // min_gap_us old (a total lower than the newest sample -- a reset --
    // forgets the older samples), then sets *rate to the rate per second
    // between the oldest sample no older than window_us and now, if that
    // sample is at least 1 second old, and returns true; false otherwise.
    bool observe(int64_t now, double total, int64_t window_us, int64_t min_gap_us, double* rate) noexcept;
};

}  // namespace pothos::core
