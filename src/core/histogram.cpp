// histogram.cpp -- see histogram.h.
#include "core/histogram.h"

#include <cmath>
#include <cstring>

namespace pothos::core {

namespace {
const double kInvLogGrowth = 1.0 / std::log(LatencyHistogram::kGrowth);
}

static_assert(LatencyHistogram::kBuckets - 2 >= 242, "range must reach kMaxMs");

void LatencyHistogram::clear() { std::memset(counts, 0, sizeof counts); }

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (int i = 0; i < kBuckets; i++) counts[i] += other.counts[i];
}

uint64_t LatencyHistogram::total() const {
    uint64_t n = 0;
    for (int i = 0; i < kBuckets; i++) n += counts[i];
    return n;
}

int LatencyHistogram::bucket_for(double ms) {
    if (!(ms > kMinMs)) return 0;  // also NaN
    double b = std::ceil(std::log(ms / kMinMs) * kInvLogGrowth);
    if (b >= kBuckets - 1) return kBuckets - 1;
    return b < 1 ? 1 : static_cast<int>(b);
}

double LatencyHistogram::upper_bound(int bucket) {
    return kMinMs * std::pow(kGrowth, bucket);
}

double LatencyHistogram::representative(int bucket) {
    if (bucket <= 0) return kMinMs;
    return 2.0 * upper_bound(bucket) / (kGrowth + 1.0);
}

double LatencyHistogram::quantile(double q, double observed_min, double observed_max) const {
    uint64_t n = total();
    if (n == 0) return 0.0;
    if (q < 0) q = 0;
    if (q > 1) q = 1;
    uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(n)));
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    int b = 0;
    for (; b < kBuckets; b++) {
        seen += counts[b];
        if (seen >= rank) break;
    }
    double v = representative(b);
    if (v < observed_min) v = observed_min;
    if (v > observed_max) v = observed_max;
    return v;
}

}  // namespace pothos::core
