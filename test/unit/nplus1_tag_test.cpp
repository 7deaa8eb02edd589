#include "core/nplus1/tag.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace pothos::core;

namespace {

bool tag(const char* s, uint64_t* h) { return nplus1_find_tag(s, std::strlen(s), h); }

TEST(Nplus1Tag, TraceparentTraceIdIsTheTag) {
    uint64_t a = 0, b = 0, c = 0;
    ASSERT_TRUE(tag("SELECT 1 /*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/", &a));
    ASSERT_TRUE(tag("SELECT 2 /*db='x',traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01'*/", &b));
    ASSERT_TRUE(tag("/*traceparent='00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/ SELECT 1", &c));
    EXPECT_EQ(a, b);  // another span of the same trace
    EXPECT_NE(a, c);
    EXPECT_NE(a, 0u);
}

TEST(Nplus1Tag, RequestIdAndBadComments) {
    uint64_t a = 0;
    EXPECT_TRUE(tag("SELECT 1 /*request_id='abc'*/", &a));
    EXPECT_FALSE(tag("SELECT 1 /* just a comment */", &a));
    EXPECT_FALSE(tag("SELECT 1 /*traceparent='00-xyz'*/", &a));
    EXPECT_FALSE(tag("SELECT '/*traceparent=", &a));
    EXPECT_FALSE(tag("SELECT 1", &a));
    std::string big(5000, ' ');
    big = "SELECT 1" + big + "/*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/";
    EXPECT_TRUE(nplus1_find_tag(big.data(), big.size(), &a));
}

}  // namespace
