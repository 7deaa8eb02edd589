// sampling.h -- sampling a share of events without a random draw per event.
//
// Taking each event with probability rate (a Bernoulli process) is the same
// as drawing, after each taken event, how many events to go to the next one:
// that gap follows the geometric distribution P(K = k) = (1 - rate)^(k-1) rate,
// k >= 1. The caller then pays one decrement per event and one draw per
// sample instead of one draw per event.
#pragma once

#include <cmath>
#include <cstdint>

namespace pothos::core {

// The gap K >= 1 to the next sampled event, from u uniform in (0, 1]
// (inversion: K = floor(ln u / ln(1 - rate)) + 1). rate >= 1 gives 1; rate
// <= 0 gives kNoSample. Gaps are capped at kMaxGap.
constexpr int64_t kNoSample = INT64_MAX;
constexpr int64_t kMaxGap = int64_t(1) << 50;

inline int64_t geometric_gap(double rate, double u) noexcept {
    if (!(rate > 0.0)) return kNoSample;
    if (rate >= 1.0) return 1;
    if (!(u > 0.0)) u = 1e-300;
    if (u > 1.0) u = 1.0;
    double k = std::floor(std::log(u) / std::log1p(-rate)) + 1.0;
    if (!(k >= 1.0)) return 1;
    return k >= double(kMaxGap) ? kMaxGap : int64_t(k);
}

}  // namespace pothos::core
