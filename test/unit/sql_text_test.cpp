#include "core/common/sql_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sql = pothos::core::sql;
using sql::TokenKind;

namespace {

std::vector<TokenKind> kinds(std::string_view text) {
    std::vector<TokenKind> out;
    for (const sql::Token& t : sql::tokenize(text)) out.push_back(t.kind);
    return out;
}

std::vector<std::string> texts(std::string_view text) {
    std::vector<std::string> out;
    for (const sql::Token& t : sql::tokenize(text)) out.emplace_back(sql::token_text(text, t));
    return out;
}

}  // namespace

TEST(SqlText, TokenizesBasicStatement) {
    std::string q = "SELECT a, 'x''y' FROM t WHERE b >= 1.5e3 AND c = $2";
    EXPECT_EQ(texts(q),
              (std::vector<std::string>{"SELECT", "a", ",", "'x''y'", "FROM", "t", "WHERE", "b",
                                        ">=", "1.5e3", "AND", "c", "=", "$2"}));
    EXPECT_EQ(kinds("x 'a' 1 $1 <> ( ) \"Q\""),
              (std::vector<TokenKind>{TokenKind::Word, TokenKind::String, TokenKind::Number,
                                      TokenKind::Param, TokenKind::Operator, TokenKind::Punct,
                                      TokenKind::Punct, TokenKind::QuotedIdent}));
}

TEST(SqlText, StringsHideKeywordsAndQuotes) {
    // The quote inside E'..' is escaped by a backslash; the one in '..' by doubling.
    std::string q = "SELECT E'it\\'s ( FROM', 'a''; -- b', \"we\"\"ird\" FROM t";
    EXPECT_EQ(texts(q), (std::vector<std::string>{"SELECT", "E'it\\'s ( FROM'", ",", "'a''; -- b'",
                                                  ",", "\"we\"\"ird\"", "FROM", "t"}));
    EXPECT_EQ(sql::find_keyword(q, "from"), q.rfind("FROM"));
}

TEST(SqlText, DollarQuotingAndParams) {
    std::string q = "SELECT $fn$ it's ) $$ $fn$, $$x$$, $1, a$b";
    EXPECT_EQ(texts(q), (std::vector<std::string>{"SELECT", "$fn$ it's ) $$ $fn$", ",", "$$x$$",
                                                  ",", "$1", ",", "a$b"}));
    EXPECT_EQ(kinds("$$x$$ $12")[0], TokenKind::String);
    EXPECT_EQ(kinds("$$x$$ $12")[1], TokenKind::Param);
}

TEST(SqlText, CommentsIncludingNested) {
    std::string q = "SELECT 1 /* a /* nested */ still ' comment */ , 2 -- tail 'x\nFROM t";
    EXPECT_EQ(kinds(q),
              (std::vector<TokenKind>{TokenKind::Word, TokenKind::Number, TokenKind::Comment,
                                      TokenKind::Punct, TokenKind::Number, TokenKind::Comment,
                                      TokenKind::Word, TokenKind::Word}));
    EXPECT_EQ(sql::strip_comments("a/*x*/b -- c\nd"), "a b  \nd");
    // An operator stops before a comment start.
    EXPECT_EQ(texts("a <--x\n b"), (std::vector<std::string>{"a", "<", "--x", "b"}));
}

TEST(SqlText, UnterminatedTokensRunToTheEnd) {
    EXPECT_EQ(texts("SELECT 'abc"), (std::vector<std::string>{"SELECT", "'abc"}));
    EXPECT_EQ(texts("SELECT /* abc"), (std::vector<std::string>{"SELECT", "/* abc"}));
    EXPECT_EQ(texts("SELECT $q$ abc"), (std::vector<std::string>{"SELECT", "$q$ abc"}));
}

TEST(SqlText, ParenthesisDepth) {
    std::string q = "a (b (c) d) e";
    std::vector<int> depths;
    for (const sql::Token& t : sql::tokenize(q)) depths.push_back(t.depth);
    EXPECT_EQ(depths, (std::vector<int>{0, 0, 1, 1, 2, 1, 1, 0, 0}));
    EXPECT_EQ(sql::matching_paren(q, 2), q.size() - 3);
    EXPECT_EQ(sql::matching_paren(q, 5), 7u);
    EXPECT_FALSE(sql::matching_paren(q, 0).has_value());
    EXPECT_FALSE(sql::matching_paren("(a", 0).has_value());
    EXPECT_FALSE(sql::matching_paren("'(' )", 1).has_value());  // inside a string
}

TEST(SqlText, CountsLiteralsOutsideComments) {
    EXPECT_EQ(sql::count_literals("SELECT * FROM t WHERE a = 1 AND b = 'x' AND c = true"), 3u);
    EXPECT_EQ(sql::count_literals("SELECT * FROM t1 WHERE a = $1 /* 5 */ -- 'x'"), 0u);
    EXPECT_EQ(sql::count_literals("SELECT a IS NULL FROM t"), 0u);
    EXPECT_EQ(sql::count_literals("SELECT $$x$$, -2.5, E'\\n', x'1F'"), 4u);
}

TEST(SqlText, SingleStatement) {
    EXPECT_TRUE(sql::is_single_statement("SELECT 1"));
    EXPECT_TRUE(sql::is_single_statement("SELECT 1; ;  -- done\n"));
    EXPECT_TRUE(sql::is_single_statement("SELECT ';' FROM t"));
    EXPECT_TRUE(sql::is_single_statement("DO $$ BEGIN PERFORM 1; END $$"));
    EXPECT_FALSE(sql::is_single_statement("SELECT 1; SELECT 2"));
    EXPECT_FALSE(sql::is_single_statement(""));
    EXPECT_FALSE(sql::is_single_statement("  -- only a comment"));
    EXPECT_FALSE(sql::is_single_statement("; SELECT 1"));
}

TEST(SqlText, FindKeywordAtDepth) {
    std::string q = "SELECT a FROM (SELECT b FROM t WHERE x) s /* WHERE */ WHERE y ORDER  BY z";
    EXPECT_EQ(sql::find_keyword(q, "where"), q.rfind("WHERE y"));
    EXPECT_EQ(sql::find_keyword(q, "where", 0, 1), q.find("WHERE x"));
    EXPECT_EQ(sql::find_keyword(q, "order by"), q.find("ORDER"));
    EXPECT_EQ(sql::find_keyword(q, "from", 10), std::nullopt);
    EXPECT_FALSE(sql::find_keyword(q, "group by").has_value());
    EXPECT_FALSE(sql::find_keyword("SELECT wherever FROM t", "where").has_value());
    EXPECT_FALSE(sql::find_keyword(q, "   ").has_value());
}

TEST(SqlText, Trim) {
    EXPECT_EQ(sql::trim("  a b \n"), "a b");
    EXPECT_EQ(sql::trim(" \t"), "");
}

TEST(SqlText, QuoteIdent) {
    EXPECT_EQ(sql::quote_ident("orders"), "orders");
    EXPECT_EQ(sql::quote_ident("_x1$"), "_x1$");
    EXPECT_EQ(sql::quote_ident("Orders"), "\"Orders\"");
    EXPECT_EQ(sql::quote_ident("order"), "\"order\"");
    EXPECT_EQ(sql::quote_ident("user"), "\"user\"");
    EXPECT_EQ(sql::quote_ident("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(sql::quote_ident("1st"), "\"1st\"");
    EXPECT_EQ(sql::quote_ident(""), "\"\"");
    EXPECT_EQ(sql::qualified_name("public", "Order Items"), "public.\"Order Items\"");
    EXPECT_EQ(sql::qualified_name("", "t"), "t");
}

// Any byte string tokenizes into ordered, non-overlapping, non-empty tokens
// inside the text, and the helpers stay within bounds.
TEST(SqlText, ArbitraryBytesAreSafe) {
    const std::string alphabet =
        "SELECT FROM where not in ( ) ' \" $ $$ $a$ -- /* */ \\ E' ; 1.e5 \n\x80\xff";
    std::uint32_t seed = 12345;
    auto next = [&seed]() {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    for (int round = 0; round < 2000; ++round) {
        std::string text;
        std::size_t len = next() % 60;
        for (std::size_t i = 0; i < len; ++i) text += alphabet[next() % alphabet.size()];
        std::size_t pos = 0;
        for (const sql::Token& t : sql::tokenize(text)) {
            ASSERT_GE(t.begin, pos) << text;
            ASSERT_GT(t.end, t.begin) << text;
            ASSERT_LE(t.end, text.size()) << text;
            ASSERT_GE(t.depth, 0) << text;
            pos = t.end;
        }
        if (auto k = sql::find_keyword(text, "not in")) {
            ASSERT_LT(*k, text.size());
        }
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (auto close = sql::matching_paren(text, i)) {
                ASSERT_GT(*close, i);
                ASSERT_EQ(text[*close], ')');
            }
        }
        sql::count_literals(text);
        sql::is_single_statement(text);
        ASSERT_LE(sql::strip_comments(text).size(), text.size());
    }
}

TEST(SqlText, IdentifierName) {
    std::string q = "Orders \"Mixed \"\"Q\"\"\" U&\"x\" 42";
    std::vector<sql::Token> t = sql::tokenize(q);
    ASSERT_EQ(t.size(), 4u);
    EXPECT_EQ(sql::identifier_name(q, t[0]), "orders");
    EXPECT_EQ(sql::identifier_name(q, t[1]), "Mixed \"Q\"");
    EXPECT_EQ(sql::identifier_name(q, t[2]), "x");
    EXPECT_EQ(sql::identifier_name(q, t[3]), "42");
}
