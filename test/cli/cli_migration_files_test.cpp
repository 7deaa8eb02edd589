// Unit tests of migration file naming, loading, checksums and planning.
#include <gtest/gtest.h>

#include "json_doc.hpp"
#include "migration_files.hpp"
#include "render_migrations.hpp"
#include "temp_dir.hpp"

using namespace pothos::cli;

using pothos::cli::test::TempDir;

TEST(CliMigrationFiles, Names) {
    auto n = parse_migration_name("V001__create_users.sql");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->version, 1);
    EXPECT_EQ(n->description, "create users");
    EXPECT_EQ(parse_migration_name("V20240101__x.sql")->version, 20240101);
    for (const char* bad : {"V1_x.sql", "v1__x.sql", "V__x.sql", "V1__.sql", "V1__a-b.sql", "V1__x.SQL",
                            "001__x.sql", "V1__x.sql.bak", "V1234567890123456789__x.sql"})
        EXPECT_FALSE(parse_migration_name(bad)) << bad;
}

TEST(CliMigrationFiles, Sha256) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CliMigrationFiles, LoadsInNumericOrder) {
    TempDir d;
    d.write("V10__ten.sql", "SELECT 10;");
    d.write("V2__two.sql", "SELECT 2;");
    d.write("V001__one.sql", "SELECT 1;");
    d.write("README.md", "ignored");
    auto files = load_migrations(d.path.string());
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0].name, "V001__one.sql");
    EXPECT_EQ(files[1].name, "V2__two.sql");
    EXPECT_EQ(files[2].name, "V10__ten.sql");
    EXPECT_EQ(files[2].content, "SELECT 10;");
    EXPECT_EQ(files[0].checksum, sha256_hex("SELECT 1;"));
}

TEST(CliMigrationFiles, RefusesBadDirectories) {
    EXPECT_THROW(load_migrations("/nonexistent/pothos"), std::runtime_error);
    TempDir dup;
    dup.write("V1__a.sql", "");
    dup.write("V01__b.sql", "");
    EXPECT_THROW(load_migrations(dup.path.string()), std::runtime_error);
    TempDir nul;
    nul.write("V1__a.sql", std::string("SELECT 1;\0DROP TABLE x;", 24));
    EXPECT_THROW(load_migrations(nul.path.string()), std::runtime_error);
    TempDir badname;
    badname.write("create_users.sql", "");
    try {
        load_migrations(badname.path.string());
        FAIL() << "accepted a badly named file";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("create_users.sql"), std::string::npos);
    }
}

TEST(CliMigrationFiles, PlanSplitsAppliedChangedMissingPending) {
    std::vector<MigrationFile> files(3);
    files[0] = {1, "V1__a.sql", "a", "A", sha256_hex("A")};
    files[1] = {2, "V2__b.sql", "b", "B2", sha256_hex("B2")};
    files[2] = {3, "V3__c.sql", "c", "C", sha256_hex("C")};
    std::vector<AppliedMigration> applied = {
        {1, "V1__a.sql", sha256_hex("A"), "t"},
        {2, "V2__b.sql", sha256_hex("B"), "t"},
        {7, "V7__gone.sql", "x", "t"},
    };
    MigrationPlan p = plan_migrations(files, applied);
    ASSERT_EQ(p.applied.size(), 1u);
    ASSERT_EQ(p.changed.size(), 1u);
    EXPECT_EQ(p.changed[0].name, "V2__b.sql");
    ASSERT_EQ(p.missing.size(), 1u);
    EXPECT_EQ(p.missing[0].version, 7);
    ASSERT_EQ(p.pending.size(), 1u);
    EXPECT_EQ(p.pending[0].name, "V3__c.sql");
}

TEST(CliRenderMigrations, StatusAndMigrateOutput) {
    MigrationPlan plan;
    plan.applied = {{1, "V1__a.sql", "aaa", "2026-01-01 00:00:00 UTC"}};
    plan.changed = {{2, "V2__b.sql", "bbb", "2026-01-01 00:00:01 UTC"}};
    plan.pending = {MigrationFile{3, "V3__c.sql", "c", "SELECT 3;", "ccc"}};
    std::string text = text_migration_status(plan, TextStyle{});
    EXPECT_NE(text.find("CHANGED"), std::string::npos);
    EXPECT_NE(text.find("2 applied, 1 pending"), std::string::npos);
    EXPECT_NE(text.find("changed after they ran: V2__b.sql"), std::string::npos);
    auto v = parse_json(json_migration_status("db_dev", plan));
    ASSERT_TRUE(v);
    EXPECT_EQ((*v)["applied"][0]["checksum"], "aaa");
    EXPECT_EQ((*v)["pending"][0]["version"], 3);
    EXPECT_EQ((*v)["changed"][0], "V2__b.sql");
    EXPECT_EQ((*v)["missing"].size(), 0u);
    MigrateOutcome none{{}, 4};
    EXPECT_EQ(text_migrate("db", none), "database \"db\" is up to date (4 migrations applied)\n");
    auto m = parse_json(json_migrate("db", MigrateOutcome{{"V3__c.sql"}, 2}, true));
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["reset"], "schema public");
    EXPECT_EQ((*m)["applied"][0], "V3__c.sql");
    EXPECT_EQ((*m)["already_applied"], 2);
}
