#include "core/nplus1/rewrite.h"

#include <gtest/gtest.h>

using namespace pothos::core;

namespace {

Nplus1Facts lookup() {
    Nplus1Facts f;
    f.statement = Nplus1Statement::Select;
    f.table = "todos";
    f.keys = {{"list_id", "bigint"}};
    f.select = {"id", "title"};
    return f;
}

TEST(Nplus1Rewrite, SingleKeyUsesAnyAndAddsTheKey) {
    EXPECT_EQ(nplus1_suggest_query(lookup()), "SELECT list_id, id, title FROM todos WHERE list_id = ANY($1::bigint[])");
    Nplus1Facts f = lookup();
    f.select = {"*"};
    EXPECT_EQ(nplus1_suggest_query(f), "SELECT * FROM todos WHERE list_id = ANY($1::bigint[])");
}

TEST(Nplus1Rewrite, LimitOneUsesDistinctOn) {
    Nplus1Facts f = lookup();
    f.limit = 1;
    f.order_by = {"created_at DESC"};
    EXPECT_EQ(nplus1_suggest_query(f),
              "SELECT DISTINCT ON (list_id) list_id, id, title FROM todos WHERE list_id = ANY($1::bigint[]) "
              "ORDER BY list_id, created_at DESC");
}

TEST(Nplus1Rewrite, CompositeKeyJoinsUnnest) {
    Nplus1Facts f = lookup();
    f.table = "list_members";
    f.keys = {{"list_id", "bigint"}, {"user_id", "integer"}};
    f.select = {"role"};
    EXPECT_EQ(nplus1_suggest_query(f),
              "SELECT t.list_id, t.user_id, role FROM list_members AS t JOIN unnest($1::bigint[], $2::integer[]) "
              "AS batch(key1, key2) ON t.list_id = batch.key1 AND t.user_id = batch.key2");
}

TEST(Nplus1Rewrite, TopNPerKeyUsesLateral) {
    Nplus1Facts f = lookup();
    f.limit = 3;
    EXPECT_EQ(nplus1_suggest_query(f),
              "SELECT batch.key1, x.* FROM unnest($1::bigint[]) AS batch(key1) CROSS JOIN LATERAL "
              "(SELECT id, title FROM todos AS t WHERE t.list_id = batch.key1 LIMIT 3) AS x");
}

TEST(Nplus1Rewrite, DmlRewrites) {
    Nplus1Facts f;
    f.statement = Nplus1Statement::Insert;
    f.table = "login_logs";
    f.set_columns = {{"user_id", "integer"}, {"ip", "text"}};
    EXPECT_EQ(nplus1_suggest_query(f),
              "INSERT INTO login_logs (user_id, ip) SELECT * FROM unnest($1::integer[], $2::text[])");
    f.statement = Nplus1Statement::Update;
    f.set_columns = {{"done", "boolean"}};
    f.keys = {{"id", "bigint"}};
    EXPECT_EQ(nplus1_suggest_query(f),
              "UPDATE login_logs AS t SET done = batch.val1 FROM unnest($1::boolean[], $2::bigint[]) "
              "AS batch(val1, key1) WHERE t.id = batch.key1");
    f.statement = Nplus1Statement::Delete;
    EXPECT_EQ(nplus1_suggest_query(f), "DELETE FROM login_logs WHERE id = ANY($1::bigint[])");
    f.statement = Nplus1Statement::Other;
    EXPECT_EQ(nplus1_suggest_query(f), "");
}

TEST(Nplus1Rewrite, SuggestionNamesDataLoaderAndIndex) {
    Nplus1Facts f = lookup();
    std::string s = nplus1_suggestion(Nplus1Kind::Nplus1, f, "", 10, 1);
    EXPECT_NE(s.find("DataLoader"), std::string::npos);
    EXPECT_NE(s.find("1 other lookup"), std::string::npos);
    EXPECT_NE(s.find("No index of todos leads with list_id"), std::string::npos);
    f.key_indexed = true;
    f.index_name = "todos_list_id_idx";
    s = nplus1_suggestion(Nplus1Kind::Nplus1, f, "", 10, 0);
    EXPECT_NE(s.find("has a usable index (todos_list_id_idx)"), std::string::npos);
    EXPECT_NE(nplus1_suggestion(Nplus1Kind::RowByRowDml, f, "", 7, 0).find("COPY"), std::string::npos);
}

}  // namespace
