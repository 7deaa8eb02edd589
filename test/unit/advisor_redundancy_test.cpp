#include "core/advisor/redundancy.h"

#include <gtest/gtest.h>

using namespace pothos::core::advisor;

namespace {
ExistingIndex ix(const std::string& name, std::vector<std::string> keys, int64_t scans = 5) {
    ExistingIndex e;
    e.relid = 1;
    e.name = name;
    e.keys = std::move(keys);
    e.scans = scans;
    return e;
}
}  // namespace

TEST(AdvisorRedundancy, DuplicateKeepsPrimaryThenUniqueThenName) {
    ExistingIndex pk = ix("t_pkey", {"id"});
    pk.primary = pk.unique = true;
    auto out = find_redundant_indexes({ix("t_id_idx", {"id"}), pk, ix("t_id_idx1", {"id"})});
    ASSERT_EQ(out.size(), 2u);
    for (const Redundancy& r : out) {
        EXPECT_EQ(r.kind, RedundancyKind::Duplicate);
        EXPECT_NE(r.index, 1u);
    }
}

TEST(AdvisorRedundancy, PrefixOfWiderBtree) {
    auto out = find_redundant_indexes({ix("a", {"x"}), ix("ab", {"x", "y"}), ix("b", {"y"})});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].index, 0u);
    EXPECT_EQ(out[0].kind, RedundancyKind::Prefix);
    EXPECT_EQ(out[0].covered_by, 1);
}

TEST(AdvisorRedundancy, UniquePrefixIsKeptAndPredicatesMustMatch) {
    ExistingIndex u = ix("u", {"x"});
    u.unique = true;
    ExistingIndex partial = ix("p", {"x"});
    partial.predicate = "(y IS NULL)";
    ExistingIndex hash = ix("h", {"x"});
    hash.method = "hash";
    auto out = find_redundant_indexes({u, partial, hash, ix("xy", {"x", "y"})});
    EXPECT_TRUE(out.empty());
}

TEST(AdvisorRedundancy, UnusedReportedOnceAndNeverForConstraints) {
    ExistingIndex u = ix("u", {"z"}, 0);
    u.unique = true;
    auto out = find_redundant_indexes({ix("a", {"x"}, 0), ix("ab", {"x", "y"}, 0), u});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].kind, RedundancyKind::Prefix);
    EXPECT_EQ(out[1].kind, RedundancyKind::Unused);
    EXPECT_EQ(out[1].index, 1u);
    EXPECT_STREQ(redundancy_kind_name(out[1].kind), "unused");
}
