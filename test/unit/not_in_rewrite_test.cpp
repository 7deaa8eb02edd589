// The NOT IN (subquery) -> NOT EXISTS rewrite of the not_in_subquery rule.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/analysis/query_rules.h"

using namespace pothos::core;

namespace {

// Facts for the first `<outer> NOT IN (...)` of `text`, located the way the
// glue does it from parser locations.
NotInSubqueryFacts locate(const std::string& text, const std::string& outer,
                          const std::string& column) {
    NotInSubqueryFacts f;
    std::size_t expr = text.find(outer + " NOT IN");
    EXPECT_NE(expr, std::string::npos);
    EXPECT_TRUE(locate_not_in(text, expr, expr + outer.size() + 1, f));
    f.subquery_column = column;
    return f;
}

std::string rewrite(const std::string& text, const NotInSubqueryFacts& f) {
    std::size_t applied = 99;
    std::string out = rewrite_not_in(text, {f}, &applied);
    EXPECT_EQ(applied, out == text ? 0u : 1u);
    return out;
}

}  // namespace

TEST(NotInRewrite, LocateFromParserOffsets) {
    std::string q =
        "SELECT * FROM users u WHERE u.id NOT IN (SELECT b.user_id FROM banned b) "
        "AND u.active";
    NotInSubqueryFacts f = locate(q, "u.id", "b.user_id");
    EXPECT_EQ(f.begin, q.find("u.id NOT"));
    EXPECT_EQ(f.end, q.find(" AND u.active"));
    EXPECT_EQ(f.outer_expression, "u.id");
    EXPECT_EQ(f.subquery_text, "SELECT b.user_id FROM banned b");

    NotInSubqueryFacts g;
    EXPECT_FALSE(locate_not_in(q, 0, q.find("IN"), g));   // not at NOT
    EXPECT_FALSE(locate_not_in("a NOT IN (1", 0, 2, g));  // unclosed
    EXPECT_FALSE(locate_not_in("a NOT LIKE 'x'", 0, 2, g));
    EXPECT_FALSE(locate_not_in(q, 40, 30, g));  // offsets reversed
    EXPECT_EQ(g.end, 0u);
    // Comments between the words are allowed.
    EXPECT_TRUE(locate_not_in("x NOT /*c*/ IN ( SELECT 1 )", 0, 2, g));
    EXPECT_EQ(g.subquery_text, "SELECT 1");
}

TEST(NotInRewrite, LocateFindsTheSubqueryColumn) {
    auto column_of = [](const std::string& q) {
        NotInSubqueryFacts f;
        std::size_t at = q.find("NOT IN");
        EXPECT_TRUE(locate_not_in(q, 0, at, f)) << q;
        return f.subquery_column;
    };
    EXPECT_EQ(column_of("x NOT IN (SELECT b.user_id FROM banned b)"), "b.user_id");
    EXPECT_EQ(column_of("x NOT IN (SELECT DISTINCT lower(e) AS le FROM t)"), "lower(e)");
    EXPECT_EQ(column_of("x NOT IN (select /* c */ b.id uid from t)"), "b.id");
    EXPECT_EQ(column_of("x NOT IN (SELECT (a, b) FROM t)"), "(a, b)");
    EXPECT_EQ(column_of("x NOT IN (SELECT a, b FROM t)"), "");
    EXPECT_EQ(column_of("x NOT IN (SELECT DISTINCT ON (a) a FROM t)"), "");
    EXPECT_EQ(column_of("x NOT IN (VALUES (1))"), "");
    // A given column is kept.
    NotInSubqueryFacts f;
    f.subquery_column = "given";
    std::string q = "x NOT IN (SELECT a FROM t)";
    ASSERT_TRUE(locate_not_in(q, 0, 2, f));
    EXPECT_EQ(f.subquery_column, "given");
    // NOT IN (list) is no subquery.
    NotInSubqueryFacts g;
    EXPECT_FALSE(locate_not_in("x NOT IN (1, 2)", 0, 2, g));
    g.outer_expression = "x";
    g.subquery_text = "1, 2";
    EXPECT_FALSE(not_exists_expression(g).has_value());
}

TEST(NotInRewrite, SimpleSubqueryBecomesCorrelatedNotExists) {
    std::string q =
        "SELECT u.id, u.name FROM users u WHERE u.id NOT IN (SELECT b.user_id FROM "
        "banned b WHERE b.active) ORDER BY u.id";
    EXPECT_EQ(rewrite(q, locate(q, "u.id", "b.user_id")),
              "SELECT u.id, u.name FROM users u WHERE NOT EXISTS (SELECT 1 FROM banned b WHERE "
              "b.active AND b.user_id = u.id) ORDER BY u.id");
}

TEST(NotInRewrite, SubqueryWithoutWhereOrWithOr) {
    std::string q = "SELECT * FROM users u WHERE u.id NOT IN (SELECT user_id FROM banned)";
    EXPECT_EQ(rewrite(q, locate(q, "u.id", "user_id")),
              "SELECT * FROM users u WHERE NOT EXISTS (SELECT 1 FROM banned WHERE user_id = "
              "u.id)");
    std::string r =
        "SELECT * FROM users u WHERE u.id NOT IN (SELECT b.user_id FROM banned b "
        "WHERE b.a OR b.c ORDER BY 1)";
    EXPECT_EQ(rewrite(r, locate(r, "u.id", "b.user_id")),
              "SELECT * FROM users u WHERE NOT EXISTS (SELECT 1 FROM banned b WHERE (b.a OR b.c) "
              "AND b.user_id = u.id)");
}

TEST(NotInRewrite, CaptureRiskOrComplexSubqueryUsesDerivedTable) {
    // A bare "id" could bind to a column of banned.
    std::string q = "SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM banned)";
    EXPECT_EQ(rewrite(q, locate(q, "id", "user_id")),
              "SELECT * FROM users WHERE NOT EXISTS (SELECT 1 FROM (SELECT user_id FROM banned) "
              "AS pothos_nin(val) WHERE pothos_nin.val = id)");
    // The qualifier "t" would be shadowed by the subquery's own "t".
    std::string s = "SELECT * FROM t WHERE t.id NOT IN (SELECT t.parent FROM t WHERE t.x)";
    EXPECT_NE(rewrite(s, locate(s, "t.id", "t.parent")).find("AS pothos_nin(val)"),
              std::string::npos);
    // Qualified outer names and function calls are safe to correlate.
    std::string ok =
        "SELECT * FROM users WHERE lower(users.email) NOT IN (SELECT email FROM "
        "blocked)";
    EXPECT_EQ(rewrite(ok, locate(ok, "lower(users.email)", "email")),
              "SELECT * FROM users WHERE NOT EXISTS (SELECT 1 FROM blocked WHERE email = "
              "lower(users.email))");
    std::string g =
        "SELECT * FROM t WHERE t.k NOT IN (SELECT s.k FROM s GROUP BY s.k HAVING "
        "count(*) > 1)";
    EXPECT_EQ(rewrite(g, locate(g, "t.k", "s.k")),
              "SELECT * FROM t WHERE NOT EXISTS (SELECT 1 FROM (SELECT s.k FROM s GROUP BY s.k "
              "HAVING count(*) > 1) AS pothos_nin(val) WHERE pothos_nin.val = t.k)");
    std::string u = "SELECT * FROM t WHERE t.k NOT IN (SELECT a FROM x UNION SELECT b FROM y)";
    EXPECT_NE(rewrite(u, locate(u, "t.k", "a")).find("AS pothos_nin(val)"), std::string::npos);
    // Without the select-list column only the general form is possible.
    NotInSubqueryFacts f = locate(ok, "lower(users.email)", "");
    EXPECT_NE(rewrite(ok, f).find("pothos_nin.val = lower(users.email)"), std::string::npos);
}

TEST(NotInRewrite, SeveralRewritesAndInvalidSpans) {
    std::string q =
        "SELECT * FROM t WHERE t.a NOT IN (SELECT x.a FROM x) AND t.b NOT IN "
        "(SELECT y.b FROM y)";
    NotInSubqueryFacts a = locate(q, "t.a", "x.a");
    NotInSubqueryFacts b = locate(q, "t.b", "y.b");
    std::size_t applied = 0;
    EXPECT_EQ(rewrite_not_in(q, {a, b}, &applied),
              "SELECT * FROM t WHERE NOT EXISTS (SELECT 1 FROM x WHERE x.a = t.a) AND NOT EXISTS "
              "(SELECT 1 FROM y WHERE y.b = t.b)");
    EXPECT_EQ(applied, 2u);

    NotInSubqueryFacts out_of_range = a;
    out_of_range.end = q.size() + 1;
    NotInSubqueryFacts not_a_not_in = a;
    not_a_not_in.begin = 0;
    not_a_not_in.end = 8;  // "SELECT *"
    NotInSubqueryFacts overlapping = b;
    overlapping.begin = a.begin;  // spans both
    EXPECT_EQ(rewrite_not_in(q, {out_of_range, not_a_not_in}, &applied), q);
    EXPECT_EQ(applied, 0u);
    rewrite_not_in(q, {overlapping, a}, &applied);
    EXPECT_EQ(applied, 1u);
    NotInSubqueryFacts no_outer = a;
    no_outer.outer_expression.clear();
    EXPECT_FALSE(not_exists_expression(no_outer).has_value());
}

TEST(NotInRewrite, RuleRewritesAndExplainsNulls) {
    std::string q = "SELECT * FROM users u WHERE u.id NOT IN (SELECT user_id FROM banned)";
    QueryFacts facts;
    facts.not_in_subqueries.push_back(locate(q, "u.id", "user_id"));
    QueryAnalysis a = run_rule("not_in_subquery", facts, q);
    EXPECT_EQ(a.optimized_query,
              "SELECT * FROM users u WHERE NOT EXISTS (SELECT 1 FROM banned WHERE user_id = "
              "u.id)");
    ASSERT_EQ(a.improvements.size(), 1u);
    EXPECT_EQ(a.improvements[0],
              "NOT IN (subquery) on u.id was rewritten to NOT EXISTS, which the planner runs as "
              "an anti-join instead of hashing or rescanning the whole subquery result. Check "
              "NULLs: NOT IN returns no rows at all when the subquery yields a NULL and drops "
              "rows where u.id is NULL; NOT EXISTS does neither, so the results differ in those "
              "cases.");

    facts.not_in_subqueries[0].outer_nullable = false;
    facts.not_in_subqueries[0].subquery_column_nullable = false;
    a = run_rule("not_in_subquery", facts, q);
    ASSERT_EQ(a.improvements.size(), 1u);
    EXPECT_NE(a.improvements[0].find("Both sides are NOT NULL, so the results are the same."),
              std::string::npos);

    // A span that does not match the text: explained, not rewritten.
    facts.not_in_subqueries[0].end = q.size() + 5;
    a = run_rule("not_in_subquery", facts, q);
    EXPECT_EQ(a.optimized_query, q);
    ASSERT_EQ(a.improvements.size(), 1u);
    EXPECT_NE(a.improvements[0].find("should be written as NOT EXISTS"), std::string::npos);

    EXPECT_TRUE(run_rule("not_in_subquery", QueryFacts(), q).findings.empty());
}

// Arbitrary spans and offsets never crash and never touch text outside a valid span.
TEST(NotInRewrite, ArbitrarySpansAreSafe) {
    std::string q = "SELECT * FROM t WHERE t.a NOT IN (SELECT x.a FROM x) AND t.b = 'NOT IN (';";
    for (std::size_t b = 0; b <= q.size() + 1; ++b) {
        NotInSubqueryFacts g;
        bool ok = locate_not_in(q, 0, b, g);
        // Only at NOT (or the blank before it); not inside the string literal.
        std::size_t at = q.find("NOT IN");
        EXPECT_EQ(ok, b == at || b + 1 == at) << b;
        for (std::size_t e = 0; e <= q.size() + 1; e += 3) {
            NotInSubqueryFacts f;
            f.begin = b;
            f.end = e;
            f.outer_expression = "t.a";
            f.subquery_text = "SELECT x.a FROM x";
            f.subquery_column = "x.a";
            std::size_t applied = 0;
            std::string out = rewrite_not_in(q, {f}, &applied);
            if (applied == 0) {
                EXPECT_EQ(out, q);
            } else {
                EXPECT_EQ(out.substr(0, b), q.substr(0, b));
                EXPECT_EQ(out.substr(out.size() - (q.size() - e)), q.substr(e));
            }
        }
    }
}
