#include "commands.hpp"

#include <cstdio>
#include <fstream>
#include <memory>

#include "db_diff.hpp"
#include "fleet.hpp"
#include "html_report.hpp"
#include "migrator.hpp"
#include "prometheus_parse.hpp"
#include "render_fleet.hpp"
#include "render_json.hpp"
#include "render_migrations.hpp"
#include "render_text.hpp"
#include "repository.hpp"
#include "table.hpp"
#include "terminal.hpp"

namespace pothos::cli {
namespace {

void out(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
}

void note(const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); }

Report collect_report(Connection& c, const Args& a, Progress& progress) {
    Report r;
    r.database = c.database();
    r.generated_at = fetch_now(c);
    progress.step("reading statement statistics");
    r.top = fetch_top(c, a.limit);
    progress.step("reading slow queries");
    r.slow = fetch_slow(c, std::nullopt, a.limit);
    progress.step("reading N+1 findings");
    r.n_plus_one = fetch_n_plus_one(c, a.limit);
    progress.step("computing index recommendations (re-planning the workload)");
    r.recommendations = fetch_recommendations(c, a.min_improvement_pct);
    progress.step("reading health");
    r.health_json = fetch_health(c);
    return r;
}

void write_html(const std::string& file, const std::string& html) {
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    if (!f) throw CliError(kExitFailure, "cannot write " + file);
    f << html;
    f.close();
    if (!f) throw CliError(kExitFailure, "cannot write " + file);
    note("HTML report written to " + file);
}

// Creates the recommended indexes (after confirmation unless --yes) and
// returns the statements run; prints progress unless --json.
std::vector<std::string> apply_recommendations(Connection& c, const std::vector<IndexRecommendation>& recs,
                                               const Args& a, const TextStyle& st) {
    std::vector<std::string> applied;
    if (recs.empty()) {
        if (!a.json) out("nothing to apply\n");
        return applied;
    }
    if (!a.yes) {
        if (!stdin_is_terminal())
            throw CliError(kExitUsage,
                           "refusing to create indexes without confirmation: stdin is not a "
                           "terminal; pass --yes to apply the recommendations");
        if (!confirm("Create " + std::to_string(recs.size()) + " index(es) CONCURRENTLY in database \"" +
                     c.database() + "\"?")) {
            note("nothing created");
            return applied;
        }
    }
    Progress progress;
    for (const auto& r : recs) {
        progress.step("creating index on " + r.table_name);
        std::string stmt = create_index_concurrently(c, r.index_ddl);
        applied.push_back(stmt);
        if (!a.json) out(paint("created", "32", st.colour) + ": " + stmt + "\n");
    }
    return applied;
}

int run_advise(Connection& c, const Args& a, const TextStyle& st) {
    std::vector<IndexRecommendation> recs;
    {
        Progress progress;
        progress.step("computing index recommendations (re-planning the workload)");
        recs = fetch_recommendations(c, a.min_improvement_pct);
    }
    if (!a.apply) {
        out(a.json ? json_advise(recs, nullptr) : text_advise(recs, st));
        return kExitOk;
    }
    if (!a.json) out(text_advise(recs, st));
    std::vector<std::string> applied = apply_recommendations(c, recs, a, st);
    if (a.json) out(json_advise(recs, &applied));
    return kExitOk;
}

int run_db_diff(const Args& a) {
    Connection c(a.conn);
    DiffOutcome o = run_schema_diff(c, {a.dir, a.schema_file, a.name, a.dry_run, a.allow_destructive});
    for (const auto& w : o.warnings) note("pothos-perf: warning: " + w);
    if (!o.changes) {
        out("no changes: the migrations in " + a.dir + " already build " + a.schema_file + "\n");
        return kExitOk;
    }
    out(o.listing);
    for (const auto& p : o.written) note("wrote " + p);
    if (a.dry_run) note("--dry-run: nothing written");
    return kExitOk;
}

int run_db(const Args& a, const TextStyle& st) {
    if (a.db_action == "diff") return run_db_diff(a);
    std::vector<MigrationFile> files;
    try {
        files = load_migrations(a.dir);
    } catch (const std::runtime_error& e) {
        throw CliError(kExitFailure, e.what());
    }
    Connection c(a.conn);
    // Progress lines go to stderr so that --json stays parseable.
    MigrationLog log = [](const std::string& line) { note(line); };
    if (a.db_action == "status") {
        MigrationPlan plan = status(c, files);
        out(a.json ? json_migration_status(c.database(), plan) : text_migration_status(plan, st));
        if (!plan.changed.empty()) {
            note("pothos-perf: error: applied migrations were changed after they ran (checksum differs): " +
                 migration_names(plan.changed));
            return kExitFailure;
        }
        return kExitOk;
    }
    MigrateOutcome o = a.db_action == "migrate" ? migrate(c, files, log)
                                                : reset_database(c, files, a.force, log);
    out(a.json ? json_migrate(c.database(), o, a.db_action == "reset") : text_migrate(c.database(), o));
    return kExitOk;
}

// report, top, n-plus-one and advise over several servers: each is read as
// on its own, then merged (fleet.hpp) and rendered together.
int run_fleet(const Args& a, const TextStyle& st) {
    std::vector<std::unique_ptr<Connection>> conns;
    std::vector<Server> servers;
    for (const ConnectOptions& o : a.fleet) {
        auto c = std::make_unique<Connection>(o);
        c->exclude_own_statements();
        c->require_extension();
        const char* host = PQhost(c->raw());
        const char* port = PQport(c->raw());
        servers.push_back({server_name(host ? host : "", port ? port : "", c->database()), fetch_in_recovery(*c)});
        conns.push_back(std::move(c));
    }
    std::optional<std::size_t> primary;
    try {
        primary = primary_of(servers);
    } catch (const std::invalid_argument& e) {
        throw CliError(kExitUsage, e.what());
    }
    const std::size_t n = servers.size();

    if (a.command == "report") {
        std::vector<Report> reports;
        {
            Progress progress;
            for (std::size_t i = 0; i < n; ++i) {
                progress.step("reading " + servers[i].name);
                reports.push_back(collect_report(*conns[i], a, progress));
            }
        }
        FleetReport f = merge_reports(servers, std::move(reports), std::size_t(a.limit));
        if (!a.html_file.empty()) write_html(a.html_file, html_fleet_report(f));
        out(a.json ? json_fleet_report(f) : text_fleet_report(f, st));
    } else if (a.command == "top") {
        std::vector<std::vector<Statement>> rows;
        for (auto& c : conns) rows.push_back(fetch_top(*c, a.limit));
        auto merged = merge_statements(rows, std::size_t(a.limit));
        out(a.json ? json_fleet_top(servers, merged) : text_fleet_top(servers, merged, st));
    } else if (a.command == "n-plus-one") {
        std::vector<std::vector<Nplus1>> rows;
        for (auto& c : conns) rows.push_back(fetch_n_plus_one(*c, a.limit));
        out(a.json ? json_fleet_n_plus_one(servers, rows) : text_fleet_n_plus_one(servers, rows, st));
    } else if (a.command == "advise") {
        std::vector<std::vector<IndexRecommendation>> rows;
        {
            Progress progress;
            for (std::size_t i = 0; i < n; ++i) {
                progress.step("computing index recommendations on " + servers[i].name);
                rows.push_back(fetch_recommendations(*conns[i], a.min_improvement_pct));
            }
        }
        auto merged = merge_recommendations(rows);
        if (!a.apply) {
            out(a.json ? json_fleet_advise(servers, merged, primary, nullptr)
                       : text_fleet_advise(servers, merged, primary, st));
            return kExitOk;
        }
        if (!primary) throw CliError(kExitUsage, "--apply needs the primary among the servers (-d)");
        if (!a.json) out(text_fleet_advise(servers, merged, primary, st));
        std::vector<IndexRecommendation> recs;
        for (const auto& r : merged) recs.push_back(r.rec);
        std::vector<std::string> applied = apply_recommendations(*conns[*primary], recs, a, st);
        if (a.json) out(json_fleet_advise(servers, merged, primary, &applied));
    }
    return kExitOk;
}

}  // namespace

int run_command(const Args& a) {
    TextStyle st;
    st.colour = !a.no_colour && !a.json && stdout_wants_colour();
    if (a.command == "db") return run_db(a, st);
    if (!a.fleet.empty()) return run_fleet(a, st);

    Connection c(a.conn);
    c.exclude_own_statements();
    c.require_extension();

    if (a.command == "report") {
        Report r;
        {
            Progress progress;
            r = collect_report(c, a, progress);
        }
        if (!a.html_file.empty()) {
            write_html(a.html_file, html_report(r));
        }
        out(a.json ? json_report(r) : text_report(r, st));
        return kExitOk;
    }
    if (a.command == "top") {
        auto rows = fetch_top(c, a.limit);
        out(a.json ? json_top(rows) : text_top(rows, st));
    } else if (a.command == "slow") {
        auto rows = fetch_slow(c, a.threshold_ms, a.limit);
        out(a.json ? json_slow(rows) : text_slow(rows, st));
    } else if (a.command == "n-plus-one") {
        auto rows = fetch_n_plus_one(c, a.limit);
        out(a.json ? json_n_plus_one(rows) : text_n_plus_one(rows, st));
    } else if (a.command == "advise") {
        return run_advise(c, a, st);
    } else if (a.command == "explain") {
        Explain e;
        {
            Progress progress;
            progress.step("running the statement under EXPLAIN ANALYZE");
            e = fetch_explain(c, a.sql, a.allow_writes);
        }
        out(a.json ? json_explain(e) : text_explain(e, st));
    } else if (a.command == "health") {
        std::string h = fetch_health(c);
        out(a.json ? json_health(h) : text_health(h, st));
    } else if (a.command == "metrics") {
        std::string m = fetch_metrics(c);
        if (a.json) {
            try {
                out(json_metrics(parse_prometheus(m)));
            } catch (const std::invalid_argument& e) {
                throw CliError(kExitFailure, e.what());
            }
        } else {
            out(m);
        }
    } else if (a.command == "reset") {
        ResetCounts r = reset_all(c);
        out(a.json ? json_reset(r) : text_reset(r, st));
    }
    return kExitOk;
}

}  // namespace pothos::cli
