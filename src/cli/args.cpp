#include "args.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include <CLI/CLI.hpp>

namespace pothos::cli {
namespace {

const std::set<std::string> kFleetCommands = {"report", "top", "n-plus-one", "advise"};

const std::set<std::string> kCommands = {"report", "top", "slow", "n-plus-one", "advise", "explain",
                                         "health", "metrics", "reset", "db"};

int parse_limit(const std::string& s) {
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || v < 1 || v > 100000)
        throw UsageError("--limit expects a whole number from 1 to 100000, got '" + s + "'");
    return int(v);
}

double parse_number(const std::string& opt, const std::string& s, double lo, double hi) {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v) || v < lo || v > hi)
        throw UsageError(opt + " expects a number from " + std::to_string(int(lo)) + " to " +
                         std::to_string(int(hi)) + ", got '" + s + "'");
    return v;
}

}  // namespace

std::vector<std::string> split_uri_list(const std::string& value) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while ((i = value.find_first_not_of(" \t\n", i)) != std::string::npos) {
        std::size_t end = std::min(value.find_first_of(" \t\n", i), value.size());
        words.push_back(value.substr(i, end - i));
        i = end;
    }
    auto is_uri = [](const std::string& w) {
        return w.rfind("postgresql://", 0) == 0 || w.rfind("postgres://", 0) == 0;
    };
    if (words.size() < 2 || !std::all_of(words.begin(), words.end(), is_uri))
        return value.empty() ? std::vector<std::string>{} : std::vector<std::string>{value};
    return words;
}

std::string usage_text() {
    return R"(usage: pothos-perf [connection options] COMMAND [options]

Commands (need the pothos_perf extension in the database):
  report                 everything below in one page (--html FILE for an HTML report)
  top                    statements by total time: calls, mean, p50/p95/p99, rows, hit ratio
  slow                   captured slow queries (--threshold MS)
  n-plus-one             N+1 and repeated-query findings with the batched query to use
  advise                 index recommendations and their CREATE INDEX statements
                         (--apply creates them CONCURRENTLY after confirmation, --yes skips it)
  explain SQL            analyze_query + analyze_performance of one statement (--allow-writes)
  health                 health summary
  metrics                Prometheus metrics
  reset                  clear statement statistics, slow queries and N+1 findings

Schema migrations (no extension needed):
  db migrate --dir DIR   apply pending V<version>__<description>.sql files in order
  db status  --dir DIR   list applied, pending and changed migrations
  db reset   --dir DIR --force
                         drop and recreate schema public, then migrate
                         (only databases named *_dev or *_test)
  db diff    --dir DIR --schema FILE [--name NAME] [--dry-run] [--allow-destructive]
                         write the next migration: the DDL from what DIR builds
                         to what FILE describes (needs CREATEDB: two throwaway
                         shadow databases)

Connection (default: DATABASE_URL, then the libpq environment PGHOST, PGPORT, ...):
  -h HOST  -p PORT  -U USER  -d DBNAME|URI
  Several servers (report, top, n-plus-one, advise): -d repeated, or URIs
  separated by spaces (-d "postgresql://a/db postgresql://b/db"); shown together:
  statements merged by query id with a column per server, findings per
  server, recommendations once, to run on the primary.

Options:
  --json                 machine-readable output (shapes in docs/cli.md)
  --html FILE            (report) write a self-contained HTML report to FILE
  --limit N              rows per section (default 20)
  --min-improvement PCT  (advise, report) minimum estimated improvement
  --no-color             never colour the output (also: NO_COLOR=1)
  --help, --version

Exit status: 0 ok, 1 failure, 2 usage error, 3 cannot connect, 4 extension missing.
)";
}

Args parse_args(const std::vector<std::string>& argv) {
    // Every option is accepted anywhere on the line, before or after the
    // command; which command an option belongs to is checked below, with
    // the command's own messages. -h is --host (as in psql): help is
    // --help or -?.
    Args a;
    std::vector<std::string> positional;
    std::string limit, threshold, min_improvement;
    std::vector<std::string> dbnames;
    CLI::App app;
    app.set_help_flag();
    app.allow_extras();  // unknown options: reported below
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.add_option("-h,--host", a.conn.host);
    app.add_option("-p,--port", a.conn.port);
    app.add_option("-U,--username", a.conn.user);
    app.add_option("-d,--dbname", dbnames)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--html", a.html_file);
    app.add_option("--limit", limit);
    app.add_option("--threshold", threshold);
    app.add_option("--min-improvement", min_improvement);
    app.add_option("--dir", a.dir);
    app.add_option("--schema", a.schema_file);
    app.add_option("--name", a.name);
    for (auto [names, flag] : {std::pair{"--json", &a.json}, {"--no-color,--no-colour", &a.no_colour},
                               {"--help,-?", &a.help}, {"--version", &a.version}, {"--apply", &a.apply},
                               {"-y,--yes", &a.yes}, {"--allow-writes", &a.allow_writes}, {"--force", &a.force},
                               {"--dry-run", &a.dry_run}, {"--allow-destructive", &a.allow_destructive}})
        app.add_flag(names, *flag)->disable_flag_override();
    app.add_option("command", positional);

    for (const std::string& arg : argv) {
        if (arg == "--") break;
        auto eq = arg.find('=');
        const CLI::Option* o = eq == std::string::npos ? nullptr : app.get_option_no_throw(arg.substr(0, eq));
        if (o && o->get_expected_max() == 0) throw UsageError(arg.substr(0, eq) + " takes no value");
    }
    // CLI11 reads the arguments last to first.
    std::vector<std::string> reversed(argv.rbegin(), argv.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        // A value option last on the line, in this command's words; anything
        // else in CLI11's.
        const CLI::Option* last = argv.empty() ? nullptr : app.get_option_no_throw(argv.back());
        if (last && last->get_expected_min() > 0) throw UsageError(argv.back() + " needs a value");
        throw UsageError(e.what());
    }
    for (const std::string& extra : app.remaining()) {
        if (extra != "--") throw UsageError("unknown option " + extra);
    }
    // in the order given, lists of URIs split
    for (const std::string& value : dbnames) {
        for (const std::string& name : split_uri_list(value)) {
            ConnectOptions c = a.conn;
            c.dbname = name;
            a.fleet.push_back(c);
        }
    }
    if (!a.fleet.empty()) a.conn.dbname = a.fleet.front().dbname;
    if (a.fleet.size() == 1) a.fleet.clear();
    if (app.count("--limit")) a.limit = parse_limit(limit);
    if (app.count("--threshold")) a.threshold_ms = parse_number("--threshold", threshold, 0, 86400000);
    if (app.count("--min-improvement"))
        a.min_improvement_pct = parse_number("--min-improvement", min_improvement, 0, 100);
    if (a.help || a.version) return a;
    if (positional.empty()) throw UsageError("no command given");
    a.command = positional[0];
    if (!kCommands.count(a.command)) throw UsageError("unknown command '" + a.command + "'");
    std::size_t expected = 1;
    if (a.command == "explain") {
        if (positional.size() < 2 || positional[1].find_first_not_of(" \t\n") == std::string::npos)
            throw UsageError("explain needs the SQL statement as one argument");
        a.sql = positional[1];
        expected = 2;
    } else if (a.command == "db") {
        if (positional.size() < 2) throw UsageError("db needs an action: migrate, status, reset or diff");
        a.db_action = positional[1];
        if (a.db_action != "migrate" && a.db_action != "status" && a.db_action != "reset" && a.db_action != "diff")
            throw UsageError("unknown db action '" + a.db_action + "' (migrate, status, reset or diff)");
        if (a.dir.empty()) throw UsageError("db " + a.db_action + " needs --dir DIR");
        if (a.db_action == "diff" && a.schema_file.empty()) throw UsageError("db diff needs --schema FILE");
        expected = 2;
    }
    if (!a.fleet.empty() && !kFleetCommands.count(a.command))
        throw UsageError("several servers (-d) are for report, top, n-plus-one and advise, not " + a.command);
    if (positional.size() > expected) throw UsageError("unexpected argument '" + positional[expected] + "'");
    if (!a.html_file.empty() && a.command != "report") throw UsageError("--html is an option of report");
    if ((a.apply || a.yes) && a.command != "advise") throw UsageError("--apply and --yes are options of advise");
    if (a.force && !(a.command == "db" && a.db_action == "reset")) throw UsageError("--force is an option of db reset");
    if (!a.dir.empty() && a.command != "db") throw UsageError("--dir is an option of db");
    bool diff = a.command == "db" && a.db_action == "diff";
    if (!diff && (!a.schema_file.empty() || app.count("--name") || a.dry_run || a.allow_destructive))
        throw UsageError("--schema, --name, --dry-run and --allow-destructive are options of db diff");
    if (app.count("--name") &&
        (a.name.empty() || a.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                      "0123456789_") != std::string::npos))
        throw UsageError("--name expects letters, digits and underscores (the migration's file name), got '" +
                         a.name + "'");
    if (a.threshold_ms && a.command != "slow") throw UsageError("--threshold is an option of slow");
    if (a.allow_writes && a.command != "explain") throw UsageError("--allow-writes is an option of explain");
    return a;
}

}  // namespace pothos::cli
