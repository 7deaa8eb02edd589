// Unit tests for core/common/sampling.h: the gaps of a Bernoulli process.
#include <gtest/gtest.h>

#include <cstdint>

#include "core/common/sampling.h"

using pothos::core::geometric_gap;
using pothos::core::kMaxGap;
using pothos::core::kNoSample;

namespace {

// A deterministic uniform source in (0, 1] (xorshift64*).
struct Uniform {
    uint64_t s = 0x9E3779B97F4A7C15ull;
    double next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        uint64_t x = s * 0x2545F4914F6CDD1Dull;
        return (double(x >> 11) + 1.0) * (1.0 / 9007199254740992.0);
    }
};

}  // namespace

TEST(GeometricGap, EdgeRates) {
    EXPECT_EQ(geometric_gap(1.0, 0.5), 1);
    EXPECT_EQ(geometric_gap(2.0, 0.5), 1);
    EXPECT_EQ(geometric_gap(0.0, 0.5), kNoSample);
    EXPECT_EQ(geometric_gap(-1.0, 0.5), kNoSample);
    // u = 1 is the shortest gap, a vanishing u the longest (capped).
    EXPECT_EQ(geometric_gap(0.05, 1.0), 1);
    EXPECT_EQ(geometric_gap(1e-15, 1e-300), kMaxGap);
    EXPECT_EQ(geometric_gap(0.05, 0.0), geometric_gap(0.05, 1e-300));
    // A rate just under 1 almost always samples the next event.
    EXPECT_EQ(geometric_gap(0.999999, 2e-6), 1);
}

TEST(GeometricGap, InversionBoundaries) {
    // K = k exactly when (1 - rate)^k < u <= (1 - rate)^(k-1).
    const double q = 0.75;  // rate 0.25
    EXPECT_EQ(geometric_gap(0.25, 1.0), 1);
    EXPECT_EQ(geometric_gap(0.25, q + 1e-9), 1);
    EXPECT_EQ(geometric_gap(0.25, q - 1e-9), 2);
    EXPECT_EQ(geometric_gap(0.25, q * q + 1e-9), 2);
    EXPECT_EQ(geometric_gap(0.25, q * q - 1e-9), 3);
}

// Over many events, the share sampled is the rate, and the gaps have the
// geometric distribution's mean 1 / rate and P(K = 1) = rate.
TEST(GeometricGap, SampledShareIsTheRate) {
    for (double rate : {0.05, 0.3, 0.9}) {
        Uniform u;
        const int64_t events = 2000000;
        int64_t samples = 0, ones = 0, gaps = 0;
        for (int64_t left = geometric_gap(rate, u.next()), n = 0; n < events; n++) {
            if (--left > 0) continue;
            samples++;
            int64_t g = geometric_gap(rate, u.next());
            gaps++;
            if (g == 1) ones++;
            left = g;
        }
        double share = double(samples) / double(events);
        EXPECT_NEAR(share, rate, rate * 0.02) << "rate " << rate;
        EXPECT_NEAR(double(ones) / double(gaps), rate, 0.01) << "rate " << rate;
    }
}
