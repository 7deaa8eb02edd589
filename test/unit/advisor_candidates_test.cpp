#include "core/advisor/candidates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace pothos::core::advisor;

namespace {

ColumnUse use(int16_t att, const std::string& name, UseKind kind, double returned = 1, double filtered = 99) {
    ColumnUse u;
    u.attnum = att;
    u.name = name;
    u.kind = kind;
    u.returned = returned;
    u.filtered = filtered;
    return u;
}

ColumnUse order(int16_t att, const std::string& name, uint8_t pos, uint32_t flags = 0) {
    ColumnUse u = use(att, name, UseKind::OrderBy, 0, 0);
    u.pos = pos;
    u.flags = flags;
    return u;
}

StatementUse stmt(uint64_t q, std::vector<ColumnUse> uses, uint32_t relid = 10) {
    StatementUse s;
    s.queryid = q;
    s.calls = 1;
    s.relations.push_back(RelationUse{relid, std::move(uses)});
    return s;
}

std::vector<std::string> shapes(const std::vector<Candidate>& cs) {
    std::vector<std::string> out;
    for (const Candidate& c : cs) out.push_back(shape_sql(c.shape));
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST(AdvisorCandidates, SingleEqualityColumn) {
    auto cs = generate_candidates({stmt(1, {use(2, "email", UseKind::Eq)})});
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(shape_sql(cs[0].shape), "(email)");
    EXPECT_EQ(cs[0].queryids, std::vector<uint64_t>{1});
    EXPECT_EQ(cs[0].reasons[0], "equality on email (99% of rows filtered)");
}

TEST(AdvisorCandidates, TwoEqualityColumnsMostSelectiveFirstAndBothOrders) {
    auto cs = generate_candidates(
        {stmt(1, {use(3, "status", UseKind::Eq, 25, 75), use(2, "assignee_id", UseKind::Eq, 1, 999)})});
    auto s = shapes(cs);
    EXPECT_TRUE(has(s, "(assignee_id, status)"));
    EXPECT_TRUE(has(s, "(status, assignee_id)"));
    EXPECT_TRUE(has(s, "(assignee_id)"));
    EXPECT_TRUE(has(s, "(status)"));
    // The most selective order comes first.
    auto a = std::find(s.begin(), s.end(), "(assignee_id, status)");
    auto b = std::find(s.begin(), s.end(), "(status, assignee_id)");
    EXPECT_LT(a, b);
}

TEST(AdvisorCandidates, DistinctValuesOrderEqualityColumnsWhenFilterCountsAreShared) {
    ColumnUse status = use(3, "status", UseKind::Eq, 10, 990), shop = use(4, "shop", UseKind::Eq, 10, 990);
    status.distinct = 5;
    shop.distinct = 400;
    auto s = shapes(generate_candidates({stmt(1, {status, shop})}));
    EXPECT_LT(std::find(s.begin(), s.end(), "(shop, status)"), std::find(s.begin(), s.end(), "(status, shop)"));
}

TEST(AdvisorCandidates, EqualityThenRange) {
    auto cs = generate_candidates({stmt(1, {use(5, "created_at", UseKind::Range), use(2, "user_id", UseKind::Eq)})});
    auto s = shapes(cs);
    EXPECT_TRUE(has(s, "(user_id, created_at)"));
    EXPECT_FALSE(has(s, "(created_at, user_id)"));
    EXPECT_TRUE(has(s, "(created_at)"));
}

TEST(AdvisorCandidates, LikePrefixUsesPatternOpsUnlessCollationC) {
    auto cs = generate_candidates({stmt(1, {use(4, "name", UseKind::Like)})});
    EXPECT_EQ(shapes(cs), std::vector<std::string>{"(name text_pattern_ops)"});
    CandidateOptions o;
    o.like_needs_pattern_ops = false;
    cs = generate_candidates({stmt(1, {use(4, "name", UseKind::Like)})}, o);
    EXPECT_EQ(shapes(cs), std::vector<std::string>{"(name)"});
}

TEST(AdvisorCandidates, OrderByLimitAfterEqualityColumnsWithDirections) {
    auto cs = generate_candidates({stmt(1, {use(2, "user_id", UseKind::Eq), order(7, "created_at", 0, kFlagDesc | kFlagNullsFirst)})});
    auto s = shapes(cs);
    // DESC NULLS FIRST is the backward scan of the ascending index.
    EXPECT_TRUE(has(s, "(user_id, created_at)"));
    EXPECT_TRUE(has(s, "(created_at)"));
}

TEST(AdvisorCandidates, MixedSortDirectionsKeptRelativeToTheFirstKey) {
    auto cs = generate_candidates({stmt(1, {order(6, "priority", 0, kFlagDesc | kFlagNullsFirst), order(8, "due_date", 1, 0)})});
    auto s = shapes(cs);
    EXPECT_TRUE(has(s, "(priority, due_date DESC)"));
    // After an equality column the sort keys are made ascending-first too.
    cs = generate_candidates({stmt(1, {use(2, "a", UseKind::Eq), order(6, "priority", 0, kFlagDesc | kFlagNullsFirst), order(8, "due_date", 1, 0)})});
    EXPECT_TRUE(has(shapes(cs), "(a, priority, due_date DESC)"));
}

TEST(AdvisorCandidates, OrderColumnThatIsAlsoEqualityIsSkipped) {
    auto cs = generate_candidates({stmt(1, {use(2, "list_id", UseKind::Eq), order(2, "list_id", 0), order(9, "position", 1)})});
    auto s = shapes(cs);
    EXPECT_TRUE(has(s, "(list_id, position)"));
    EXPECT_TRUE(has(s, "(position)"));
}

TEST(AdvisorCandidates, JoinKeyGivesSingleColumnCandidate) {
    auto cs = generate_candidates({stmt(1, {use(2, "list_id", UseKind::JoinKey, 0, 0)})});
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(shape_sql(cs[0].shape), "(list_id)");
    EXPECT_EQ(cs[0].reasons[0], "join key list_id");
}

TEST(AdvisorCandidates, PartialIndexForConstantPredicate) {
    auto cs = generate_candidates({stmt(1, {use(2, "owner_id", UseKind::Eq), use(6, "is_archived", UseKind::BoolFalse, 10, 90)})});
    auto s = shapes(cs);
    EXPECT_TRUE(has(s, "(owner_id) WHERE NOT is_archived"));
    EXPECT_TRUE(has(s, "(owner_id)"));
    for (const Candidate& c : cs) {
        if (c.shape.predicate.empty()) continue;
        EXPECT_EQ(c.shape.predicate_attnums, std::vector<int16_t>{6});
    }
}

TEST(AdvisorCandidates, MergesTheSameShapeFromSeveralStatements) {
    auto cs = generate_candidates({stmt(1, {use(2, "list_id", UseKind::Eq)}), stmt(2, {use(2, "list_id", UseKind::JoinKey)})});
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].queryids, (std::vector<uint64_t>{1, 2}));
    EXPECT_EQ(cs[0].reasons.size(), 2u);
}

TEST(AdvisorCandidates, CapsTheNumberOfColumns) {
    std::vector<ColumnUse> u;
    for (int16_t a = 1; a <= 6; a++) u.push_back(use(a, "c" + std::to_string(a), UseKind::Eq, a, 100));
    CandidateOptions o;
    o.max_columns = 3;
    for (const Candidate& c : generate_candidates({stmt(1, u)}, o)) EXPECT_LE(c.shape.keys.size(), 3u);
}

TEST(AdvisorCandidates, ExpressionBecomesAnExpressionKey) {
    ColumnUse lower = use(0, "lower(email)", UseKind::Eq);
    lower.expr = "lower(email)";
    lower.expr_attnums = {2};
    auto cs = generate_candidates({stmt(1, {lower})});
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(shape_sql(cs[0].shape), "((lower(email)))");
    EXPECT_EQ(shape_columns(cs[0].shape), std::vector<int16_t>{2});
    // The same expression from two statements is one candidate; a plain
    // column use of attnum 0 is not confused with it.
    ColumnUse trunc = use(0, "date_trunc('day'::text, created)", UseKind::Eq);
    trunc.expr = "date_trunc('day'::text, created)";
    auto s = shapes(generate_candidates({stmt(1, {lower, trunc}), stmt(2, {lower})}));
    EXPECT_EQ(std::count(s.begin(), s.end(), "((lower(email)))"), 1);
    EXPECT_TRUE(has(s, "((date_trunc('day'::text, created)))"));
    EXPECT_TRUE(has(s, "((date_trunc('day'::text, created)), (lower(email)))") ||
                has(s, "((lower(email)), (date_trunc('day'::text, created)))"));
}

TEST(AdvisorCandidates, IncludeColumnsForAnIndexOnlyScan) {
    ColumnUse read_qty = use(4, "qty", UseKind::Output, 0, 0), read_pid = use(3, "product_id", UseKind::Output, 0, 0);
    read_qty.width = 4;
    auto s = shapes(generate_candidates({stmt(1, {use(3, "product_id", UseKind::Eq), read_pid, read_qty})}));
    EXPECT_TRUE(has(s, "(product_id)"));
    EXPECT_TRUE(has(s, "(product_id) INCLUDE (qty)"));
    // A statement that reads the whole row, or wide columns, gets none.
    ColumnUse whole = use(0, "*", UseKind::Output, 0, 0);
    s = shapes(generate_candidates({stmt(1, {use(3, "product_id", UseKind::Eq), whole, read_qty})}));
    EXPECT_FALSE(has(s, "(product_id) INCLUDE (qty)"));
    ColumnUse body = use(5, "body", UseKind::Output, 0, 0);
    body.width = 200;
    s = shapes(generate_candidates({stmt(1, {use(3, "product_id", UseKind::Eq), body})}));
    EXPECT_EQ(s, std::vector<std::string>{"(product_id)"});
}

TEST(AdvisorCandidates, LikePrefixOnTheSortColumnGetsNoOrderedShape) {
    // name LIKE 'abc%' ORDER BY name LIMIT n: the matching rows are
    // contiguous in name order; only the prefix index (text_pattern_ops).
    auto s = shapes(generate_candidates({stmt(1, {use(2, "name", UseKind::Like), order(2, "name", 0)})}));
    EXPECT_EQ(s, std::vector<std::string>{"(name text_pattern_ops)"});
    // Without the LIKE, the ORDER BY ... LIMIT shape is there.
    s = shapes(generate_candidates({stmt(1, {use(3, "shop", UseKind::Eq), order(2, "name", 0)})}));
    EXPECT_TRUE(has(s, "(shop, name)"));
}
