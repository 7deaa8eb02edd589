// histogram.h -- log-scale latency histogram with bounded relative error.
//
// Bucket b >= 1 holds values in (kMinMs * g^(b-1), kMinMs * g^b], g = kGrowth;
// bucket 0 holds everything <= kMinMs, the last bucket everything above the
// range. A quantile is answered with the bucket's representative value
// 2 * kMinMs * g^b / (g + 1), whose relative error against any value of the
// bucket is at most (g - 1) / (g + 1) = kMaxRelativeError (4.77 % for g = 1.1),
// for values inside [kMinMs, kMaxMs]. Estimates are clamped to the observed
// [min, max], which only makes them better.
//
// The struct is plain data (it lives in PostgreSQL shared memory and is
// written to the statistics file as bytes): no constructor, no pointers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pothos::core {

struct LatencyHistogram {
    static constexpr double kGrowth = 1.1;
    static constexpr double kMaxRelativeError = (kGrowth - 1.0) / (kGrowth + 1.0);
    static constexpr double kMinMs = 0.001;     // 1 microsecond
    static constexpr double kMaxMs = 1.0e7;     // about 2.8 hours
    static constexpr int kBuckets = 244;        // ceil(log_g(kMaxMs / kMinMs)) + 2 (last: overflow)

    uint64_t counts[kBuckets];

    void clear() noexcept;
    void add(double ms) noexcept { counts[bucket_for(ms)]++; }
    void merge(const LatencyHistogram& other) noexcept;
    uint64_t total() const noexcept;

    // Nearest-rank quantile (q in [0, 1]): an estimate of the value v_k,
    // k = max(1, ceil(q * n)), of the sorted observations, within
    // kMaxRelativeError of it. Returns 0 when empty.
    double quantile(double q, double observed_min, double observed_max) const noexcept;

    static int bucket_for(double ms) noexcept;
    static double representative(int bucket) noexcept;
    static double upper_bound(int bucket) noexcept;
};

}  // namespace pothos::core
