// Unit tests of the SQL splitter, psql includes, and the no-transaction
// marker and next name of migration files.
#include <gtest/gtest.h>

#include <filesystem>

#include "migration_files.hpp"
#include "sql_split.hpp"
#include "temp_dir.hpp"

using namespace pothos::cli;
using pothos::cli::test::TempDir;

TEST(CliSqlSplit, StatementsQuotesCommentsAndLines) {
    auto v = split_sql("-- head\nCREATE TABLE a (x text DEFAULT ';');\n\n"
                       "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n"
                       "/* a; /* nested; */ still */ SELECT \"a;b\" FROM t;\n"
                       "SELECT E'it\\'s;'; SELECT 'it''s;'\n");
    ASSERT_EQ(v.size(), 5u);
    EXPECT_EQ(v[0].text, "CREATE TABLE a (x text DEFAULT ';')");
    EXPECT_EQ(v[0].line, 2);
    EXPECT_EQ(v[1].line, 4);
    EXPECT_EQ(v[1].text, "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql");
    EXPECT_EQ(v[2].text, "SELECT \"a;b\" FROM t");
    EXPECT_EQ(v[2].line, 5);
    EXPECT_EQ(v[3].text, "SELECT E'it\\'s;'");
    EXPECT_EQ(v[4].text, "SELECT 'it''s;'\n");
    EXPECT_EQ(v[4].line, 6);
    EXPECT_TRUE(split_sql("-- only a comment\n;\n  ;").empty());
}

TEST(CliSqlSplit, LineOfAnErrorPosition) {
    std::string s = "CREATE TABLE t (\n  a int,\n  b intt\n)";
    EXPECT_EQ(line_at_position(s, 10, int(s.find("intt")) + 1), 12);
    EXPECT_EQ(line_at_position(s, 10, 1), 10);
    // positions count characters: a two-byte letter is one
    std::string u = "SELECT '\xc3\xa9',\nx";
    EXPECT_EQ(line_at_position(u, 1, 13), 2);  // the x after the newline
}

TEST(CliSqlSplit, PsqlIncludesAreRead) {
    TempDir d;
    std::filesystem::create_directory(d.path / "sub");
    d.write("sub/a.sql", "CREATE TABLE a (id int);\n");
    d.write("main.sql", "SET x = 1;\n\\ir sub/a.sql\nCREATE TABLE b (id int);\n");
    auto pieces = read_sql_script((d.path / "main.sql").string());
    ASSERT_EQ(pieces.size(), 3u);
    EXPECT_EQ(pieces[0].text, "SET x = 1;\n");
    EXPECT_EQ(pieces[1].text, "CREATE TABLE a (id int);\n");
    EXPECT_NE(pieces[1].file.find("sub/a.sql"), std::string::npos);
    EXPECT_EQ(pieces[2].text, "CREATE TABLE b (id int);\n");
    EXPECT_EQ(pieces[2].first_line, 3);
    d.write("bad.sql", "SELECT 1;\n\\set ON_ERROR_STOP 1\n");
    EXPECT_THROW(read_sql_script((d.path / "bad.sql").string()), std::runtime_error);
    d.write("loop.sql", "\\ir loop.sql\n");
    EXPECT_THROW(read_sql_script((d.path / "loop.sql").string()), std::runtime_error);
}

TEST(CliMigrationFiles, NoTransactionMarkerAndNextName) {
    EXPECT_TRUE(is_non_transactional("-- pothos:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);"));
    EXPECT_TRUE(is_non_transactional("-- pothos:no-transaction \r\nSELECT 1;"));
    EXPECT_FALSE(is_non_transactional("SELECT 1;\n-- pothos:no-transaction\n"));
    EXPECT_FALSE(is_non_transactional("-- pothos:no-transaction-please\n"));
    TempDir d;
    d.write("V006__a.sql", "-- pothos:no-transaction\nSELECT 1;");
    d.write("V2__b.sql", "SELECT 1;");
    auto files = load_migrations(d.path.string());
    EXPECT_TRUE(files[0].transactional);
    EXPECT_FALSE(files[1].transactional);
    EXPECT_EQ(next_migration_name(files, {}, "add_x"), "V007__add_x.sql");
    EXPECT_EQ(next_migration_name(files, {}, "add_x", 1), "V008__add_x.sql");
    EXPECT_EQ(next_migration_name(files, {{9, "V9__gone.sql", "", ""}}, "y"), "V010__y.sql");
    EXPECT_EQ(next_migration_name({}, {}, "first"), "V001__first.sql");
}
