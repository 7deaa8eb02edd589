#include "core/stats/normalize.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using pothos::core::ConstLocation;
using pothos::core::normalize_constants;

namespace {
std::string norm(const std::string& text, std::vector<ConstLocation> locs, int first = 1, size_t cap = 1024) {
    std::string out(cap, '\0');
    size_t n = normalize_constants(text.data(), text.size(), locs.data(), locs.size(), first, out.data(), cap);
    out.resize(n);
    return out;
}
}  // namespace

TEST(Normalize, ReplacesConstantsInOrder) {
    std::string q = "SELECT * FROM t WHERE a = 42 AND b = 'x'";
    EXPECT_EQ(norm(q, {{26, 2}, {37, 3}}), "SELECT * FROM t WHERE a = $1 AND b = $2");
}

TEST(Normalize, InListEachElement) {
    std::string q = "SELECT 1 FROM t WHERE id IN (1, 22, 333)";
    EXPECT_EQ(norm(q, {{7, 1}, {29, 1}, {32, 2}, {36, 3}}), "SELECT $1 FROM t WHERE id IN ($2, $3, $4)");
}

TEST(Normalize, NumbersContinueAfterExistingParams) {
    std::string q = "SELECT $1 + 5";
    EXPECT_EQ(norm(q, {{12, 1}}, 2), "SELECT $1 + $2");
}

TEST(Normalize, SkipsUnknownDuplicateAndOverlapping) {
    std::string q = "SELECT 10, -5, 7";
    // unknown length, duplicate location, a negative constant spanning "-5"
    EXPECT_EQ(norm(q, {{7, -1}, {11, 2}, {11, 2}, {12, 1}, {15, 1}}), "SELECT 10, $1, $2");
}

TEST(Normalize, OutOfRangeLocationIgnored) {
    EXPECT_EQ(norm("SELECT 1", {{7, 5}}), "SELECT 1");
}

TEST(Normalize, NoConstantsCopiesText) {
    EXPECT_EQ(norm("SELECT now()", {}), "SELECT now()");
}

TEST(Normalize, OutputIsCutAtCapacity) {
    std::string q = "SELECT 123456789 FROM long_table_name";
    EXPECT_EQ(norm(q, {{7, 9}}, 1, 12), "SELECT $1 FR");
    EXPECT_EQ(norm(q, {{7, 9}}, 1, 8), "SELECT $");
}

namespace {
std::string trimmed(const std::string& s) {
    size_t start = 0, len = 0;
    pothos::core::trim_tag_comments(s.data(), s.size(), &start, &len);
    return s.substr(start, len);
}
}  // namespace

TEST(TrimTagComments, TrailingSqlcommenterIsCut) {
    EXPECT_EQ(trimmed("SELECT $1 /*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/"),
              "SELECT $1");
    EXPECT_EQ(trimmed("SELECT 1 /*application='todo',traceparent='00-ab-cd-01'*/;"), "SELECT 1");
    EXPECT_EQ(trimmed("SELECT 1 /* controller='users', action='show' */ "), "SELECT 1");
}

TEST(TrimTagComments, LeadingAndBothAreCut) {
    EXPECT_EQ(trimmed("/*request_id='r-17'*/ UPDATE t SET a = $1"), "UPDATE t SET a = $1");
    EXPECT_EQ(trimmed("/*a='1'*/ SELECT 1 /*b='2'*/"), "SELECT 1");
}

TEST(TrimTagComments, OrdinaryCommentsAndTextStay) {
    EXPECT_EQ(trimmed("SELECT 1 /* keep me */"), "SELECT 1 /* keep me */");
    EXPECT_EQ(trimmed("/* hint */ SELECT 1"), "/* hint */ SELECT 1");
    EXPECT_EQ(trimmed("SELECT '/*x=''y''*/'"), "SELECT '/*x=''y''*/'");
    EXPECT_EQ(trimmed("SELECT 1 /*k='unterminated*/"), "SELECT 1 /*k='unterminated*/");
    EXPECT_EQ(trimmed(""), "");
    EXPECT_EQ(trimmed("/*a='1'*/"), "");
}
