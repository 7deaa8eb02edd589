// histogram.cpp -- see histogram.h.
#include "core/stats/histogram.h"

#include <cmath>
#include <cstring>

#include "core/common/hot.h"

namespace pothos::core {

namespace {

// bucket_for without a logarithm: the binary exponent and the top five
// mantissa bits of ms / kMinMs pick one of 32 cells per octave. A cell spans
// a factor 2^(1/32) < kGrowth, so it holds at most one bucket edge: starting
// from the bucket of the cell's lower edge, at most one step forward (two,
// allowing for rounding) finds the bucket. No libm call, no division: two
// table reads on the path every statement takes.
constexpr int kCellBits = 5;
constexpr int kCellsPerOctave = 1 << kCellBits;
constexpr int kOctaves = 36;  // ms / kMinMs below 2^36 > upper_bound(kBuckets - 2) / kMinMs

struct BucketTables {
    double upper[LatencyHistogram::kBuckets];  // upper[b] = upper_bound(b); last: infinity
    uint8_t first[kOctaves * kCellsPerOctave];  // bucket of each cell's lower edge

    BucketTables() {
        for (int b = 0; b < LatencyHistogram::kBuckets - 1; b++) upper[b] = LatencyHistogram::upper_bound(b);
        upper[LatencyHistogram::kBuckets - 1] = HUGE_VAL;
        int b = 1;
        for (int c = 0; c < kOctaves * kCellsPerOctave; c++) {
            const double lo = std::ldexp(1.0 + (c % kCellsPerOctave) / double(kCellsPerOctave), c / kCellsPerOctave) *
                              LatencyHistogram::kMinMs * (1.0 - 1e-9);
            while (b < LatencyHistogram::kBuckets - 1 && lo > upper[b]) b++;
            first[c] = static_cast<uint8_t>(b);
        }
    }
};
const BucketTables tables;

static_assert(LatencyHistogram::kBuckets <= 256, "bucket numbers are stored in a byte");

}  // namespace

static_assert(LatencyHistogram::kBuckets - 2 >= 242, "range must reach kMaxMs");

void LatencyHistogram::clear() noexcept { std::memset(counts, 0, sizeof counts); }

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
    for (int i = 0; i < kBuckets; i++) counts[i] += other.counts[i];
}

uint64_t LatencyHistogram::total() const noexcept {
    uint64_t n = 0;
    for (int i = 0; i < kBuckets; i++) n += counts[i];
    return n;
}

POTHOS_HOT int LatencyHistogram::bucket_for(double ms) noexcept {
    if (!(ms > kMinMs)) return 0;  // also NaN
    const double x = ms * (1.0 / kMinMs);  // > 1: a positive exponent
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    const int octave = static_cast<int>(bits >> 52) - 1023;
    // Beyond the cells (also infinity): the overflow bucket, as every value
    // above upper_bound(kBuckets - 2) is.
    if (octave >= kOctaves) return kBuckets - 1;
    const int cell = octave * kCellsPerOctave + static_cast<int>((bits >> (52 - kCellBits)) & (kCellsPerOctave - 1));
    int b = tables.first[cell];
    while (ms > tables.upper[b]) b++;
    return b;
}

double LatencyHistogram::upper_bound(int bucket) noexcept {
    return kMinMs * std::pow(kGrowth, bucket);
}

double LatencyHistogram::representative(int bucket) noexcept {
    if (bucket <= 0) return kMinMs;
    return 2.0 * upper_bound(bucket) / (kGrowth + 1.0);
}

double LatencyHistogram::quantile(double q, double observed_min, double observed_max) const noexcept {
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
