#include "core/security/value_scrub.h"

#include <gtest/gtest.h>

#include <string>

using pothos::core::scrub_plan_values;
using pothos::core::scrub_sql_literals;

TEST(ScrubSqlLiterals, ReplacesStringsAndNumbersNumberingAfterParams) {
    EXPECT_EQ(scrub_sql_literals("ALTER ROLE bob PASSWORD 'hunter2'"), "ALTER ROLE bob PASSWORD $1");
    EXPECT_EQ(scrub_sql_literals("SET work_mem = '8MB'"), "SET work_mem = $1");
    EXPECT_EQ(scrub_sql_literals("SELECT $2 + 424242, E'a\\'b', 1.5e3 FROM t1"),
              "SELECT $2 + $3, $4, $5 FROM t1");
    EXPECT_EQ(scrub_sql_literals("DO $$BEGIN PERFORM 424242; END$$"), "DO $1");
}

TEST(ScrubSqlLiterals, KeepsIdentifiersCommentsAndQuotedNames) {
    EXPECT_EQ(scrub_sql_literals("CREATE TABLE \"t 42\" (c1 int) -- '42'"), "CREATE TABLE \"t 42\" (c1 int) -- '42'");
    EXPECT_EQ(scrub_sql_literals("VACUUM t"), "VACUUM t");
    EXPECT_EQ(scrub_sql_literals(""), "");
}

TEST(ScrubPlanValues, TextFormatExpressionsOnly) {
    std::string plan =
        "Seq Scan on secret  (cost=0.00..35.50 rows=10 width=8)\n"
        "  Filter: ((salary = 424242) AND (name = 'zq-secret'::text) AND (active = true) AND (x IS NOT TRUE))\n"
        "  Rows Removed by Filter: 17\n"
        "  ->  Index Scan using i on t  (cost=0.29..8.31 rows=1 width=4)\n"
        "        Index Cond: (id = ANY ('{1,2,3}'::integer[]))";
    std::string want =
        "Seq Scan on secret  (cost=0.00..35.50 rows=10 width=8)\n"
        "  Filter: ((salary = ?) AND (name = ?::text) AND (active = ?) AND (x IS NOT TRUE))\n"
        "  Rows Removed by Filter: 17\n"
        "  ->  Index Scan using i on t  (cost=0.29..8.31 rows=1 width=4)\n"
        "        Index Cond: (id = ANY (?::integer[]))";
    EXPECT_EQ(scrub_plan_values(plan), want);
}

TEST(ScrubPlanValues, JsonFormatStringsAndLists) {
    std::string plan =
        "{\n"
        "  \"Plan\": {\n"
        "    \"Node Type\": \"Seq Scan\",\n"
        "    \"Relation Name\": \"secret\",\n"
        "    \"Total Cost\": 35.50,\n"
        "    \"Filter\": \"((salary = 424242) AND (\\\"Odd Col\\\" = 'a\\\\b'::text))\",\n"
        "    \"Sort Key\": [\"(a + 7)\", \"b\"]\n"
        "  }\n"
        "}";
    std::string want =
        "{\n"
        "  \"Plan\": {\n"
        "    \"Node Type\": \"Seq Scan\",\n"
        "    \"Relation Name\": \"secret\",\n"
        "    \"Total Cost\": 35.50,\n"
        "    \"Filter\": \"((salary = ?) AND (\\\"Odd Col\\\" = ?::text))\",\n"
        "    \"Sort Key\": [\"(a + ?)\", \"b\"]\n"
        "  }\n"
        "}";
    EXPECT_EQ(scrub_plan_values(plan), want);
}
