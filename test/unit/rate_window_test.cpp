#include "core/health/rate_window.h"

#include <gtest/gtest.h>

using pothos::core::RateWindow;

namespace {
constexpr int64_t kSec = 1000000;
}

TEST(RateWindow, NoRateUntilASampleIsOneSecondOld) {
    RateWindow w;
    w.clear();
    double r = -1;
    EXPECT_FALSE(w.observe(10 * kSec, 100, 60 * kSec, 5 * kSec, &r));
    EXPECT_FALSE(w.observe(10 * kSec + kSec / 2, 150, 60 * kSec, 5 * kSec, &r));
    ASSERT_TRUE(w.observe(12 * kSec, 300, 60 * kSec, 5 * kSec, &r));
    EXPECT_DOUBLE_EQ(r, 100.0);
}

TEST(RateWindow, UsesTheOldestSampleInsideTheWindow) {
    RateWindow w;
    w.clear();
    double r = -1;
    w.observe(0, 0, 60 * kSec, 5 * kSec, &r);
    w.observe(30 * kSec, 300, 60 * kSec, 5 * kSec, &r);
    ASSERT_TRUE(w.observe(70 * kSec, 700, 60 * kSec, 5 * kSec, &r));
    EXPECT_DOUBLE_EQ(r, 10.0);  // (700 - 300) / 40 s; the sample at 0 is too old
}

TEST(RateWindow, ResetOfTheTotalForgetsSamples) {
    RateWindow w;
    w.clear();
    double r = -1;
    w.observe(0, 1000, 60 * kSec, 0, &r);
    EXPECT_FALSE(w.observe(10 * kSec, 5, 60 * kSec, 0, &r));
    ASSERT_TRUE(w.observe(20 * kSec, 105, 60 * kSec, 0, &r));
    EXPECT_DOUBLE_EQ(r, 10.0);
}

TEST(RateWindow, KeepsAtMostOneSamplePerGap) {
    RateWindow w;
    w.clear();
    double r = -1;
    for (int i = 0; i < 100; i++) w.observe(i * kSec / 10, i, 60 * kSec, 5 * kSec, &r);
    EXPECT_EQ(w.count, 2u);  // at 0 s and 5 s
}
