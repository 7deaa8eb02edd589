// Unit tests of the pothos-perf command-line parser.
#include <gtest/gtest.h>

#include "args.hpp"

using namespace pothos::cli;

namespace {
Args parse(std::vector<std::string> v) { return parse_args(v); }
}  // namespace

TEST(CliArgs, ConnectionFlagsAndOptions) {
    Args a = parse({"-h", "db.example", "-p", "5433", "-U", "me", "-d", "app", "top", "--limit=5", "--json"});
    EXPECT_EQ(a.command, "top");
    EXPECT_EQ(a.conn.host, "db.example");
    EXPECT_EQ(a.conn.port, "5433");
    EXPECT_EQ(a.conn.user, "me");
    EXPECT_EQ(a.conn.dbname, "app");
    EXPECT_EQ(a.limit, 5);
    EXPECT_TRUE(a.json);
}

TEST(CliArgs, Subcommands) {
    Args e = parse({"explain", "SELECT 1", "--allow-writes"});
    EXPECT_EQ(e.sql, "SELECT 1");
    EXPECT_TRUE(e.allow_writes);
    Args d = parse({"db", "reset", "--dir", "m", "--force"});
    EXPECT_EQ(d.db_action, "reset");
    EXPECT_EQ(d.dir, "m");
    EXPECT_TRUE(d.force);
    Args diff = parse({"db", "diff", "--dir", "m", "--schema", "s.sql", "--name", "add_x", "--dry-run",
                       "--allow-destructive"});
    EXPECT_EQ(diff.db_action, "diff");
    EXPECT_EQ(diff.schema_file, "s.sql");
    EXPECT_EQ(diff.name, "add_x");
    EXPECT_TRUE(diff.dry_run && diff.allow_destructive);
    Args ad = parse({"advise", "--apply", "--yes", "--min-improvement", "25"});
    EXPECT_TRUE(ad.apply && ad.yes);
    EXPECT_EQ(*ad.min_improvement_pct, 25);
    EXPECT_TRUE(parse({"--help"}).help);
}

TEST(CliArgs, OptionFormsAndPlaces) {
    Args a = parse({"--json", "-p5433", "top", "--limit", "5", "--limit=7", "--no-colour", "-hdb"});
    EXPECT_EQ(a.command, "top");
    EXPECT_EQ(a.conn.port, "5433");
    EXPECT_EQ(a.conn.host, "db");
    EXPECT_EQ(a.limit, 7);  // the last one given
    EXPECT_TRUE(a.json && a.no_colour);
    EXPECT_TRUE(parse({"--apply", "-y", "advise"}).yes);
    EXPECT_TRUE(parse({"-?"}).help);
    EXPECT_TRUE(parse({"--version"}).version);
    // after --, everything is an argument, even what looks like an option
    Args e = parse({"explain", "--", "--x"});
    EXPECT_EQ(e.sql, "--x");
    try {
        parse({"top", "--limit"});
        FAIL() << "accepted --limit without a value";
    } catch (const UsageError& err) {
        EXPECT_STREQ(err.what(), "--limit needs a value");
    }
    try {
        parse({"top", "--bogus"});
        FAIL() << "accepted --bogus";
    } catch (const UsageError& err) {
        EXPECT_STREQ(err.what(), "unknown option --bogus");
    }
}

TEST(CliArgs, BadInputIsAUsageError) {
    const std::vector<std::vector<std::string>> bad = {
        {},
        {"frobnicate"},
        {"top", "--limit", "0"},
        {"top", "--limit", "ten"},
        {"top", "--limit"},
        {"top", "--bogus"},
        {"top", "extra"},
        {"explain"},
        {"explain", "  "},
        {"db"},
        {"db", "migrate"},
        {"db", "drop", "--dir", "x"},
        {"top", "--html", "f.html"},
        {"top", "--apply"},
        {"db", "migrate", "--dir", "x", "--force"},
        {"db", "diff", "--dir", "x"},
        {"db", "diff", "--schema", "s.sql"},
        {"db", "diff", "--dir", "x", "--schema", "s.sql", "--name", "a-b"},
        {"db", "diff", "--dir", "x", "--schema", "s.sql", "--name", ""},
        {"db", "migrate", "--dir", "x", "--dry-run"},
        {"db", "status", "--dir", "x", "--schema", "s.sql"},
        {"top", "--allow-destructive"},
        {"slow", "--threshold", "-1"},
        {"advise", "--min-improvement", "101"},
        {"top", "--json=yes"},
        {"top", "--json="},
        {"top", "-yq"},
        {"-h"},
    };
    for (const auto& v : bad) {
        std::string joined;
        for (const auto& s : v) joined += s + " ";
        EXPECT_THROW(parse_args(v), UsageError) << joined;
    }
}

TEST(CliArgs, SeveralServers) {
    Args a = parse({"-U", "me", "-d", "postgresql://a/x", "top", "-d", "postgresql://b/x"});
    ASSERT_EQ(a.fleet.size(), 2u);
    EXPECT_EQ(a.fleet[0].dbname, "postgresql://a/x");
    EXPECT_EQ(a.fleet[1].dbname, "postgresql://b/x");
    EXPECT_EQ(a.fleet[1].user, "me");
    EXPECT_EQ(a.conn.dbname, "postgresql://a/x");
    Args l = parse({"report", "-d", " postgresql://a/x\tpostgres://b/x  postgresql://c/x "});
    ASSERT_EQ(l.fleet.size(), 3u);
    EXPECT_EQ(l.fleet[2].dbname, "postgresql://c/x");
    // a keyword/value connection string is one server
    Args kv = parse({"top", "-d", "host=a dbname=x"});
    EXPECT_TRUE(kv.fleet.empty());
    EXPECT_EQ(kv.conn.dbname, "host=a dbname=x");
    EXPECT_EQ(split_uri_list(""), std::vector<std::string>{});
    EXPECT_EQ(split_uri_list("postgresql://a/x postgresql://b/x,c"),
              (std::vector<std::string>{"postgresql://a/x", "postgresql://b/x,c"}));
    EXPECT_THROW(parse({"-d", "postgresql://a/x", "-d", "postgresql://b/x", "health"}), UsageError);
    EXPECT_THROW(parse({"-d", "postgresql://a/x", "-d", "postgresql://b/x", "explain", "SELECT 1"}), UsageError);
    EXPECT_NO_THROW(parse({"-d", "postgresql://a/x", "-d", "postgresql://b/x", "advise", "--apply", "--yes"}));
}
