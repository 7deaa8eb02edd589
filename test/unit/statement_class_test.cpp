#include "core/metrics/statement_class.h"

#include <gtest/gtest.h>

#include <string>

using pothos::core::classify_statement;

namespace {

std::string shape(const char* text) {
    auto c = classify_statement(text);
    return c.operation + "/" + c.model;
}

}  // namespace

TEST(StatementClass, DmlTargets) {
    EXPECT_EQ(shape("INSERT INTO public.todos (title, list_id) VALUES ($1, $2)"), "insert/todos");
    EXPECT_EQ(shape("insert into \"Todo Items\" select * from x"), "insert/Todo Items");
    EXPECT_EQ(shape("UPDATE ONLY todos SET done = $1 WHERE id = $2"), "update/todos");
    EXPECT_EQ(shape("DELETE FROM app.Sessions WHERE expires < now()"), "delete/sessions");
    EXPECT_EQ(shape("MERGE INTO stock s USING delivery d ON s.id = d.id WHEN MATCHED THEN "
                    "UPDATE SET n = s.n + d.n"),
              "update/stock");
}

TEST(StatementClass, SelectMainTable) {
    EXPECT_EQ(shape("SELECT t.id FROM todos t JOIN lists l ON l.id = t.list_id"), "select/todos");
    EXPECT_EQ(shape("/* app */ select count(*) -- from nothing\n from ONLY Users"), "select/users");
    EXPECT_EQ(shape("SELECT (SELECT 1 FROM inner_t), 'FROM x' FROM outer_t"), "select/outer_t");
    EXPECT_EQ(shape("SELECT * FROM (SELECT * FROM todos WHERE done) sub"), "select/todos");
    EXPECT_EQ(shape("SELECT * FROM generate_series(1, 10) g"), "select/");
    EXPECT_EQ(shape("SELECT 1"), "select/");
    EXPECT_EQ(shape("(SELECT a FROM x) UNION (SELECT a FROM y)"), "select/x");
    EXPECT_EQ(shape("VALUES (1), (2)"), "select/");
    EXPECT_EQ(shape("TABLE lists"), "select/lists");
}

TEST(StatementClass, WithClauses) {
    EXPECT_EQ(shape("WITH recent AS (SELECT * FROM todos WHERE created_at > $1) "
                    "DELETE FROM todos WHERE id IN (SELECT id FROM recent)"),
              "delete/todos");
    EXPECT_EQ(shape("WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t) "
                    "SELECT n FROM t"),
              "select/t");
    EXPECT_EQ(shape("WITH a AS (SELECT 1), b AS MATERIALIZED (SELECT 2) "
                    "INSERT INTO log SELECT * FROM a"),
              "insert/log");
}

TEST(StatementClass, Utility) {
    EXPECT_EQ(shape("CREATE INDEX ON todos (list_id)"), "utility/");
    EXPECT_EQ(shape("EXPLAIN SELECT * FROM todos"), "utility/");
    EXPECT_EQ(shape("COPY todos FROM STDIN"), "utility/");
    EXPECT_EQ(shape(""), "utility/");
    EXPECT_EQ(shape("((("), "utility/");
    EXPECT_EQ(shape("SELECT * FROM (SELECT"), "select/");
    EXPECT_EQ(shape("INSERT INTO"), "insert/");
}
