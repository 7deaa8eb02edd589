#include "core/stats/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using pothos::core::LatencyHistogram;

namespace {

double exact_nearest_rank(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    size_t k = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    if (k < 1) k = 1;
    return v[k - 1];
}

LatencyHistogram filled(const std::vector<double>& v) {
    LatencyHistogram h;
    h.clear();
    for (double x : v) h.add(x);
    return h;
}

}  // namespace

TEST(Histogram, StatedErrorBoundIsBelowFivePercent) {
    EXPECT_LE(LatencyHistogram::kMaxRelativeError, 0.05);
    // The last bucket's lower edge must be at or beyond kMaxMs.
    EXPECT_GE(LatencyHistogram::upper_bound(LatencyHistogram::kBuckets - 2), LatencyHistogram::kMaxMs);
}

TEST(Histogram, EveryValueIsWithinErrorOfItsBucketRepresentative) {
    for (double v = LatencyHistogram::kMinMs * 1.0001; v < LatencyHistogram::kMaxMs; v *= 1.013) {
        int b = LatencyHistogram::bucket_for(v);
        double r = LatencyHistogram::representative(b);
        ASSERT_LE(std::fabs(r - v) / v, LatencyHistogram::kMaxRelativeError + 1e-9) << "v=" << v;
    }
}

TEST(Histogram, EmptyAndEdgeValues) {
    LatencyHistogram h;
    h.clear();
    EXPECT_EQ(h.total(), 0u);
    EXPECT_EQ(h.quantile(0.5, 0, 0), 0.0);
    EXPECT_EQ(LatencyHistogram::bucket_for(0.0), 0);
    EXPECT_EQ(LatencyHistogram::bucket_for(-1.0), 0);
    EXPECT_EQ(LatencyHistogram::bucket_for(std::nan("")), 0);
    EXPECT_EQ(LatencyHistogram::bucket_for(1e12), LatencyHistogram::kBuckets - 1);
    EXPECT_EQ(LatencyHistogram::bucket_for(HUGE_VAL), LatencyHistogram::kBuckets - 1);
    EXPECT_EQ(LatencyHistogram::bucket_for(LatencyHistogram::kMinMs * 0x1p36), LatencyHistogram::kBuckets - 1);
    EXPECT_EQ(LatencyHistogram::bucket_for(std::nextafter(LatencyHistogram::kMinMs * 0x1p36, 0.0)),
              LatencyHistogram::kBuckets - 1);
}

TEST(Histogram, SingleValueIsExactThanksToClamping) {
    LatencyHistogram h = filled({3.7});
    EXPECT_DOUBLE_EQ(h.quantile(0.5, 3.7, 3.7), 3.7);
    EXPECT_DOUBLE_EQ(h.quantile(0.99, 3.7, 3.7), 3.7);
}

TEST(Histogram, QuantilesOfLogNormalWithinBound) {
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> dist(0.0, 1.5);  // median 1 ms, long tail
    std::vector<double> v;
    for (int i = 0; i < 20000; i++) v.push_back(dist(rng));
    LatencyHistogram h = filled(v);
    double mn = *std::min_element(v.begin(), v.end()), mx = *std::max_element(v.begin(), v.end());
    for (double q : {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
        double exact = exact_nearest_rank(v, q);
        double est = h.quantile(q, mn, mx);
        EXPECT_LE(std::fabs(est - exact) / exact, LatencyHistogram::kMaxRelativeError + 1e-9) << "q=" << q;
    }
}

TEST(Histogram, BimodalPercentilesLandInTheRightMode) {
    std::vector<double> v;
    for (int i = 0; i < 900; i++) v.push_back(0.2);    // fast path
    for (int i = 0; i < 100; i++) v.push_back(250.0);  // slow path, 10 %
    LatencyHistogram h = filled(v);
    EXPECT_NEAR(h.quantile(0.5, 0.2, 250.0), 0.2, 0.2 * 0.05);
    EXPECT_NEAR(h.quantile(0.95, 0.2, 250.0), 250.0, 250.0 * 0.05);
    EXPECT_NEAR(h.quantile(0.90, 0.2, 250.0), 0.2, 0.2 * 0.05);  // rank 900 is still fast
}

TEST(Histogram, MergeAddsCounts) {
    LatencyHistogram a = filled({1, 2, 3}), b = filled({4, 5});
    a.merge(b);
    EXPECT_EQ(a.total(), 5u);
    EXPECT_NEAR(a.quantile(1.0, 1, 5), 5.0, 0.25);
}

// bucket_for finds buckets with tables instead of a logarithm: every value
// must land in the bucket whose bounds hold it, including values right at and
// right next to an edge.
TEST(Histogram, BucketForMatchesTheBucketBounds) {
    auto check = [](double v) {
        int b = LatencyHistogram::bucket_for(v);
        ASSERT_GE(b, 1) << "v=" << v;
        if (b < LatencyHistogram::kBuckets - 1) {
            ASSERT_LE(v, LatencyHistogram::upper_bound(b)) << "v=" << v;
        }
        if (b > 1) {
            ASSERT_GT(v, LatencyHistogram::upper_bound(b - 1)) << "v=" << v;
        }
    };
    for (double v = LatencyHistogram::kMinMs * 1.000001; v < LatencyHistogram::kMaxMs * 1.2; v *= 1.0007) check(v);
    for (int b = 1; b < LatencyHistogram::kBuckets - 1; b++) {
        const double edge = LatencyHistogram::upper_bound(b);
        check(edge);
        check(std::nextafter(edge, 0.0));
        check(std::nextafter(edge, HUGE_VAL));
        EXPECT_EQ(LatencyHistogram::bucket_for(edge), b);
    }
    EXPECT_EQ(LatencyHistogram::bucket_for(LatencyHistogram::kMinMs), 0);
    EXPECT_EQ(LatencyHistogram::bucket_for(std::nextafter(LatencyHistogram::kMinMs, 1.0)), 1);
    EXPECT_EQ(LatencyHistogram::bucket_for(HUGE_VAL), LatencyHistogram::kBuckets - 1);
}
