// pothos-perf against a real PostgreSQL server with pothos_perf preloaded
// (scripts/test-cli.sh starts one and sets DATABASE_URL to a superuser
// connection). Runs the installed-in-build binary as a child process and
// checks exit codes, JSON shapes (parsed), the indexes --apply creates, the
// HTML report (xmllint), and the migration runner's guarantees.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

std::string base_url() {
    const char* u = std::getenv("DATABASE_URL");
    return u ? u : "";
}

// DATABASE_URL with its database name replaced.
std::string url_for(const std::string& db) {
    std::string u = base_url();
    auto slash = u.rfind('/');
    return u.substr(0, slash + 1) + db;
}

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct CliRun {
    int code = -1;
    std::string out, err;
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Reads a popen()ed command to its end: its stdout and exit status.
CliRun finish(FILE* p) {
    CliRun r;
    if (!p) return r;
    char buf[4096];
    std::size_t k;
    while ((k = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, k);
    int st = pclose(p);
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

CliRun capture(const std::string& cmd) { return finish(popen(cmd.c_str(), "r")); }

// Runs pothos-perf with `args` (already shell-quoted) against database `db`.
CliRun run(const std::string& db, const std::string& args, const std::string& env = "") {
    static int n = 0;
    std::string errfile = "/tmp/pothos_cli_test_" + std::to_string(getpid()) + "_" + std::to_string(++n);
    CliRun r = capture("env NO_COLOR=1 DATABASE_URL=" + quote(url_for(db)) + " " + env + " " +
                       POTHOS_PERF_BIN + " " + args + " </dev/null 2>" + errfile);
    r.err = slurp(errfile);
    fs::remove(errfile);
    return r;
}

// Every key of `keys` is a member of object `o`.
void expect_keys(const Json& o, std::initializer_list<const char*> keys) {
    ASSERT_TRUE(o.is_object());
    for (const char* k : keys) EXPECT_TRUE(o.contains(k)) << "missing key " << k;
}

// The member `key` of an object, or nullptr.
const Json* member(const Json& o, const char* key) {
    if (!o.is_object()) return nullptr;
    auto it = o.find(key);
    return it == o.end() ? nullptr : &*it;
}

std::optional<std::string> string_at(const Json& o, const char* key) {
    const Json* v = member(o, key);
    if (!v || !v->is_string()) return std::nullopt;
    return v->get<std::string>();
}

std::optional<double> number_at(const Json& o, const char* key) {
    const Json* v = member(o, key);
    if (!v || !v->is_number()) return std::nullopt;
    return v->get<double>();
}

Json json_of(const CliRun& r) {
    Json v = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(v.is_discarded()) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
    return v.is_discarded() ? Json() : v;
}

// The array member `key` of the JSON document a successful run printed.
std::vector<Json> array_of(const CliRun& r, const char* key) {
    EXPECT_EQ(r.code, 0) << r.err;
    Json v = json_of(r);
    const Json* a = member(v, key);
    EXPECT_TRUE(a && a->is_array()) << key << " in " << r.out;
    return a && a->is_array() ? a->get<std::vector<Json>>() : std::vector<Json>{};
}

class Db {
public:
    explicit Db(const std::string& db) : c_(PQconnectdb(url_for(db).c_str())) {
        if (PQstatus(c_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c_));
        exec("SET client_min_messages = warning");
    }
    ~Db() { PQfinish(c_); }
    // Rows of the result as text (null as "").
    std::vector<std::vector<std::string>> exec(const std::string& sql, const std::vector<std::string>& params = {}) {
        std::vector<const char*> v;
        for (const auto& p : params) v.push_back(p.c_str());
        PGresult* r = PQexecParams(c_, sql.c_str(), int(v.size()), nullptr, v.data(), nullptr, nullptr, 0);
        ExecStatusType st = PQresultStatus(r);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            std::string msg = PQresultErrorMessage(r);
            PQclear(r);
            throw std::runtime_error(sql + ": " + msg);
        }
        std::vector<std::vector<std::string>> rows;
        for (int i = 0; i < PQntuples(r); ++i) {
            rows.emplace_back();
            for (int j = 0; j < PQnfields(r); ++j) rows.back().push_back(PQgetvalue(r, i, j));
        }
        PQclear(r);
        return rows;
    }
    std::string one(const std::string& sql) { return exec(sql).at(0).at(0); }

private:
    PGconn* c_;
};

void fresh_database(const std::string& name, bool with_extension) {
    Db admin("postgres");
    admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    admin.exec("CREATE DATABASE " + name);
    if (with_extension) {
        admin.exec("ALTER DATABASE " + name + " SET pothos_perf.advisor_sample_rate = 1");
        admin.exec("ALTER DATABASE " + name + " SET pothos_perf.slow_query_threshold = 100");
        Db d(name);
        d.exec("CREATE EXTENSION pothos_perf");
    }
}

const char* kDb = "cli_test";

// A workload with something for every section: a sequential-scan lookup (an
// index recommendation), a slow statement and an N+1 loop.
void workload() {
    Db d(kDb);
    d.exec("DROP TABLE IF EXISTS cli_child, cli_parent");
    d.exec("CREATE TABLE cli_parent (id int PRIMARY KEY, name text NOT NULL)");
    d.exec("CREATE TABLE cli_child (id int PRIMARY KEY, parent_id int NOT NULL, k int NOT NULL, v text NOT NULL)");
    d.exec("INSERT INTO cli_parent SELECT g, 'p' || g FROM generate_series(1, 50) g");
    d.exec("INSERT INTO cli_child SELECT g, 1 + g % 50, g % 2000, md5(g::text) FROM generate_series(1, 100000) g");
    d.exec("ANALYZE cli_parent, cli_child");
    d.exec("SELECT pothos_perf.reset(), pothos_perf.slow_queries_reset(), pothos_perf.n_plus_one_reset()");
    Db w(kDb);
    for (int i = 0; i < 10; ++i) w.exec("SELECT id, v FROM cli_child WHERE k = $1", {std::to_string(i)});
    w.exec("SELECT pg_sleep(0.15)");
    // markup characters in a query text: the HTML report must escape them
    w.exec("SELECT count(*) FROM cli_child WHERE k < 5 AND v <> '<&>' /* \"quoted\" */");
    // three units of work (pothos_perf.n_plus_one_min_occurrences)
    for (int unit = 0; unit < 3; ++unit) {
        w.exec("BEGIN");
        auto parents = w.exec("SELECT id FROM cli_parent WHERE id > $1 ORDER BY id LIMIT 10",
                              {std::to_string(unit * 10)});
        for (const auto& p : parents) w.exec("SELECT id, v FROM cli_child WHERE id = $1", {p[0]});
        // two lookups per parent row, interleaved: one finding with two children
        auto names = w.exec("SELECT id, name FROM cli_parent WHERE id <= $1 ORDER BY id", {"6"});
        for (const auto& p : names) {
            w.exec("SELECT v FROM cli_child WHERE id = $1", {p[0]});
            w.exec("SELECT count(*) FROM cli_child WHERE k = $1", {p[0]});
        }
        w.exec("COMMIT");
    }
}

// Each test gets a fresh database and workload, whatever ran before it.
class CliServer : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(base_url().empty()) << "DATABASE_URL must name a superuser connection";
        fresh_database(kDb, true);
        workload();
    }
};

}  // namespace

TEST(CliConnect, UnreachableServerIsExit3WithAHint) {
    CliRun r = run("postgres", "-d " + quote("postgresql://postgres@127.0.0.1:1/postgres") + " top");
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_NE(r.err.find("cannot connect to the database server"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("DATABASE_URL"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
    CliRun j = run("postgres", "-h 127.0.0.1 -p 1 health --json");
    EXPECT_EQ(j.code, 3) << j.err;
}

TEST(CliConnect, MissingExtensionIsExit4AndSaysHowToInstall) {
    fresh_database("cli_noext", false);
    for (const char* cmd : {"top", "report --json", "advise", "health"}) {
        CliRun r = run("cli_noext", cmd);
        EXPECT_EQ(r.code, 4) << cmd << ": " << r.err;
        EXPECT_NE(r.err.find("not installed in database \"cli_noext\""), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("shared_preload_libraries"), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("CREATE EXTENSION pothos_perf"), std::string::npos) << r.err;
    }
}

TEST(CliConnect, UsageErrorsAreExit2) {
    for (const char* args : {"", "frobnicate", "top --limit 0", "explain", "db migrate", "top --nope"}) {
        CliRun r = run("postgres", args);
        EXPECT_EQ(r.code, 2) << args;
        EXPECT_NE(r.err.find("usage: pothos-perf"), std::string::npos) << args;
    }
    EXPECT_EQ(run("postgres", "--help").code, 0);
}

TEST_F(CliServer, TopJson) {
    CliRun r = run(kDb, "top --json --limit 50");
    const std::vector<Json> rows = array_of(r, "statements");
    ASSERT_FALSE(HasFailure());
    bool found = false;
    for (const auto& s : rows) {
        expect_keys(s, {"queryid", "query", "calls", "total_ms", "mean_ms", "p50_ms", "p95_ms",
                        "p99_ms", "rows", "hit_ratio"});
        if (string_at(s, "query").value_or("") == "SELECT id, v FROM cli_child WHERE k = $1") {
            found = true;
            EXPECT_EQ(*number_at(s, "calls"), 10);
            EXPECT_LE(*number_at(s, "p50_ms"), *number_at(s, "p99_ms"));
            EXPECT_GT(*number_at(s, "total_ms"), 0);
        }
    }
    EXPECT_TRUE(found) << r.out;
    // ordered by total time
    for (std::size_t i = 1; i < rows.size(); ++i)
        EXPECT_GE(*number_at(rows[i - 1], "total_ms"), *number_at(rows[i], "total_ms"));
    CliRun text = run(kDb, "top --limit 3");
    EXPECT_EQ(text.code, 0);
    EXPECT_NE(text.out.find("p95"), std::string::npos);
    EXPECT_EQ(text.out.find('\x1b'), std::string::npos) << "colour on a pipe";
}

TEST_F(CliServer, SlowJson) {
    CliRun r = run(kDb, "slow --json");
    const std::vector<Json> rows = array_of(r, "slow_queries");
    ASSERT_FALSE(HasFailure());
    bool found = false;
    for (const auto& s : rows) {
        expect_keys(s, {"queryid", "query", "duration_ms", "occurred_at", "execution_count",
                        "average_duration_ms", "recommendations"});
        if (string_at(s, "query").value_or("").find("pg_sleep") != std::string::npos) {
            found = true;
            EXPECT_GE(*number_at(s, "duration_ms"), 100);
        }
    }
    EXPECT_TRUE(found) << r.out;
    EXPECT_EQ(run(kDb, "slow --threshold abc").code, 2);
    // Without --threshold the server's threshold applies (100 ms in this
    // database): a fast statement a session captured with its own lower
    // threshold is listed only when asked for.
    Db fast(kDb);
    fast.exec("SET pothos_perf.slow_query_threshold = 0");
    fast.exec("SELECT count(*) AS cli_fast_one FROM cli_parent");
    auto lists_fast = [](const CliRun& run) { return run.out.find("cli_fast_one") != std::string::npos; };
    EXPECT_FALSE(lists_fast(run(kDb, "slow --json")));
    EXPECT_TRUE(lists_fast(run(kDb, "slow --threshold 0 --json")));
}

TEST_F(CliServer, Nplus1Json) {
    CliRun r = run(kDb, "n-plus-one --json");
    const std::vector<Json> rows = array_of(r, "findings");
    ASSERT_FALSE(HasFailure());
    ASSERT_FALSE(rows.empty()) << r.out;
    bool found = false;
    for (const auto& f : rows) {
        expect_keys(f, {"kind", "parent_queryid", "parent_query", "queryid", "query", "occurrences",
                        "total_repeats", "max_repeats", "wasted_time_ms", "round_trips_saved",
                        "suggested_query", "suggestion"});
        if (string_at(f, "kind") == "n_plus_one" &&
            string_at(f, "query").value_or("").find("cli_child") != std::string::npos) {
            found = true;
            EXPECT_NE(string_at(f, "parent_query").value_or("").find("cli_parent"), std::string::npos);
            EXPECT_GE(*number_at(f, "round_trips_saved"), 1);
        }
    }
    EXPECT_TRUE(found) << r.out;
}

// The interleaved loop of the workload is one finding that lists both of its
// lookups, in JSON and in text.
TEST_F(CliServer, Nplus1ListsEveryInterleavedLookup) {
    CliRun r = run(kDb, "n-plus-one --json");
    const std::vector<Json> rows = array_of(r, "findings");
    ASSERT_FALSE(HasFailure());
    bool found = false;
    for (const auto& f : rows) {
        if (string_at(f, "parent_query").value_or("").find("name FROM cli_parent") == std::string::npos) continue;
        found = true;
        EXPECT_EQ(string_at(f, "kind").value_or(""), "n_plus_one");
        const Json* children = member(f, "children");
        ASSERT_NE(children, nullptr) << r.out;
        ASSERT_EQ(children->size(), 2u) << r.out;
        EXPECT_EQ(string_at((*children)[0], "query").value_or(""), string_at(f, "query").value_or("-"));
        EXPECT_EQ(*number_at((*children)[0], "queryid"), *number_at(f, "queryid"));
        EXPECT_NE(string_at((*children)[1], "query").value_or("").find("count(*) FROM cli_child WHERE k ="),
                  std::string::npos)
            << r.out;
        EXPECT_EQ(*number_at((*children)[1], "total_repeats"), 18);  // 6 rows x 3 units
        EXPECT_NE(string_at((*children)[1], "suggested_query").value_or("").find("ANY("), std::string::npos);
    }
    EXPECT_TRUE(found) << r.out;
    CliRun t = run(kDb, "n-plus-one");
    ASSERT_EQ(t.code, 0) << t.err;
    EXPECT_NE(t.out.find("and:       SELECT count(*) FROM cli_child WHERE k = $1 (18 repeats)"), std::string::npos)
        << t.out;
}

TEST_F(CliServer, ExplainJson) {
    CliRun r = run(kDb, "explain " + quote("SELECT id, v FROM cli_child WHERE k = 7") + " --json");
    ASSERT_EQ(r.code, 0) << r.err;
    Json v = json_of(r);
    ASSERT_TRUE(v.contains("analysis"));
    ASSERT_TRUE(v.contains("performance"));
    EXPECT_TRUE(v["analysis"]["improvements"].is_array());
    EXPECT_EQ(*number_at(v["performance"], "actual_rows"), 50);
    EXPECT_GT(*number_at(v["performance"], "estimated_cost"), 0);
    EXPECT_TRUE(v["performance"]["plan"].is_array());
    // a bad statement is the server's error, exit 1, no crash
    CliRun bad = run(kDb, "explain " + quote("SELECT FROM nope_no_table"));
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.err.find("nope_no_table"), std::string::npos) << bad.err;
    // writes are refused unless allowed
    EXPECT_EQ(run(kDb, "explain " + quote("DELETE FROM cli_parent")).code, 1);
    EXPECT_EQ(Db(kDb).one("SELECT count(*) FROM cli_parent"), "50");
    // a statement copied from the statements view, with $n: its generic plan
    // and the static analysis, nothing run
    CliRun p = run(kDb, "explain " + quote("SELECT id, v FROM cli_child WHERE k = $1") + " --json");
    ASSERT_EQ(p.code, 0) << p.err;
    Json pv = json_of(p);
    EXPECT_EQ(pv["performance"]["executed"], false);
    EXPECT_TRUE(pv["performance"]["actual_rows"].is_null());
    EXPECT_GT(*number_at(pv["performance"], "estimated_cost"), 0);
    EXPECT_FALSE(pv["analysis"]["improvements"].empty());
    CliRun text = run(kDb, "explain " + quote("DELETE FROM cli_parent WHERE id = $1"));
    ASSERT_EQ(text.code, 0) << text.err;
    EXPECT_NE(text.out.find("not run: the statement has $n parameters"), std::string::npos) << text.out;
    EXPECT_EQ(Db(kDb).one("SELECT count(*) FROM cli_parent"), "50");
}

TEST_F(CliServer, HealthMetricsJson) {
    CliRun h = run(kDb, "health --json");
    ASSERT_EQ(h.code, 0) << h.err;
    Json hv = json_of(h);
    ASSERT_TRUE(hv.contains("health"));
    EXPECT_TRUE(string_at(hv["health"], "status").has_value()) << h.out;
    EXPECT_EQ(run(kDb, "health").code, 0);

    CliRun m = run(kDb, "metrics --json");
    ASSERT_EQ(m.code, 0) << m.err;
    Json mv = json_of(m);
    const Json* samples = member(mv, "samples");
    ASSERT_TRUE(samples && samples->is_array() && !samples->empty());
    for (const auto& s : *samples) {
        EXPECT_EQ(string_at(s, "name").value_or("").rfind("pothos_", 0), 0u);
        EXPECT_TRUE(s.at("labels").is_object());
        EXPECT_TRUE(s.contains("value"));
    }
    CliRun text = run(kDb, "metrics");
    EXPECT_NE(text.out.find("# TYPE"), std::string::npos);
}

TEST_F(CliServer, ReportJsonAndHtml) {
    CliRun r = run(kDb, "report --json");
    ASSERT_EQ(r.code, 0) << r.err;
    Json v = json_of(r);
    EXPECT_EQ(string_at(v, "database"), std::string(kDb));
    for (const char* k : {"statements", "slow_queries", "findings", "recommendations"})
        EXPECT_TRUE(v[k].is_array()) << k;
    EXPECT_TRUE(v["health"].is_object());
    EXPECT_FALSE(v["statements"].empty());

    std::string html = "/tmp/pothos_cli_report_" + std::to_string(getpid()) + ".html";
    CliRun h = run(kDb, "report --html " + quote(html));
    ASSERT_EQ(h.code, 0) << h.err;
    EXPECT_NE(h.out.find("Top statements"), std::string::npos);
    std::string doc = slurp(html);
    EXPECT_NE(doc.find("<svg"), std::string::npos);
    EXPECT_NE(doc.find("Latency percentiles"), std::string::npos);
    EXPECT_NE(doc.find("Round trips saved"), std::string::npos);
    EXPECT_EQ(doc.find("src=\"http"), std::string::npos) << "not self-contained";
    EXPECT_NE(doc.find("k &lt; $1 AND v &lt;&gt; $2"), std::string::npos) << "query text not escaped";
    int rc = std::system(("xmllint --noout " + quote(html)).c_str());
    EXPECT_EQ(rc, 0) << "the HTML report is not well-formed XML";
    fs::remove(html);
    CliRun bad = run(kDb, "report --html /nonexistent/dir/x.html");
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.err.find("cannot write"), std::string::npos);
}

TEST_F(CliServer, AdviseApplyCreatesExactlyTheRecommendedIndexes) {
    Db d(kDb);
    auto index_defs = [&] {
        std::set<std::string> s;
        for (auto& row : d.exec("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")) s.insert(row[0]);
        return s;
    };
    CliRun plan = run(kDb, "advise --json");
    ASSERT_EQ(plan.code, 0) << plan.err;
    Json pv = json_of(plan);
    const Json* recs = member(pv, "recommendations");
    ASSERT_TRUE(recs && recs->is_array() && !recs->empty()) << plan.out;
    expect_keys((*recs)[0], {"table_name", "columns", "index_ddl", "estimated_size_bytes",
                                 "cost_before", "cost_after", "improvement_pct", "affected_queries",
                                 "reason"});
    EXPECT_FALSE(pv.contains("applied"));

    // Without --yes and without a terminal: refused, nothing created.
    auto before = index_defs();
    CliRun refused = run(kDb, "advise --apply");
    EXPECT_EQ(refused.code, 2) << refused.err;
    EXPECT_NE(refused.err.find("--yes"), std::string::npos);
    EXPECT_EQ(index_defs(), before);

    CliRun r = run(kDb, "advise --apply --yes --json");
    ASSERT_EQ(r.code, 0) << r.err;
    Json v = json_of(r);
    const Json* applied = member(v, "applied");
    ASSERT_NE(applied, nullptr);
    const Json* recommended = member(v, "recommendations");
    ASSERT_EQ(applied->size(), recommended->size());
    auto after = index_defs();
    std::vector<std::string> created;
    for (const auto& def : after)
        if (!before.count(def)) created.push_back(def);
    ASSERT_EQ(created.size(), recommended->size()) << r.out;
    // each recommendation has its own new index on its table and columns
    for (const auto& rec : *recommended) {
        std::string cols;
        for (const auto& c : rec.at("columns")) cols += (cols.empty() ? "" : ", ") + c.get<std::string>();
        bool matched = false;
        for (const auto& def : created)
            if (def.find(*string_at(rec, "table_name")) != std::string::npos &&
                def.find("(" + cols + ")") != std::string::npos)
                matched = true;
        EXPECT_TRUE(matched) << "no index for " << *string_at(rec, "index_ddl");
    }
    // every new index is valid (CONCURRENTLY completed)
    EXPECT_EQ(d.one("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                    "WHERE c.relnamespace = 'public'::regnamespace AND NOT i.indisvalid"),
              "0");
}

TEST_F(CliServer, ResetEmptiesTheStores) {
    CliRun r = run(kDb, "reset --json");
    ASSERT_EQ(r.code, 0) << r.err;
    Json v = json_of(r);
    const Json* removed = member(v, "removed");
    ASSERT_NE(removed, nullptr);
    EXPECT_GT(*number_at(*removed, "statements"), 0);
    EXPECT_TRUE(number_at(*removed, "slow_queries").has_value());
    EXPECT_TRUE(number_at(*removed, "n_plus_one").has_value());
    CliRun top = run(kDb, "top --json");
    Json tv = json_of(top);
    for (const auto& s : tv["statements"])
        EXPECT_EQ(string_at(s, "query").value_or("").find("cli_child"), std::string::npos) << top.out;
}

// ---------------------------------------------------------------- migrations

namespace {

struct MigDir : pothos::cli::test::TempDir {
    std::string arg() const { return "--dir " + quote(path.string()); }
};

}  // namespace

TEST(CliMigrations, AppliedTwiceIsANoOpAndStatusLists) {
    fresh_database("cli_mig_test", false);
    MigDir m;
    m.write("V001__create_a.sql", "CREATE TABLE a (id int PRIMARY KEY);\nINSERT INTO a VALUES (1);\n");
    m.write("V002__create_b.sql", "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);\n");

    CliRun st0 = run("cli_mig_test", "db status --json " + m.arg());
    ASSERT_EQ(st0.code, 0) << st0.err;
    EXPECT_EQ(json_of(st0)["pending"].size(), 2u);

    CliRun first = run("cli_mig_test", "db migrate --json " + m.arg());
    ASSERT_EQ(first.code, 0) << first.err;
    Json fv = json_of(first);
    ASSERT_EQ(fv["applied"].size(), 2u);
    EXPECT_EQ(fv["applied"][0], "V001__create_a.sql");

    CliRun second = run("cli_mig_test", "db migrate --json " + m.arg());
    ASSERT_EQ(second.code, 0) << second.err;
    Json sv = json_of(second);
    EXPECT_EQ(sv["applied"].size(), 0u);
    EXPECT_EQ(*number_at(sv, "already_applied"), 2);
    Db d("cli_mig_test");
    EXPECT_EQ(d.one("SELECT count(*) FROM a"), "1");
    EXPECT_EQ(d.one("SELECT count(*) FROM public.pothos_migrations"), "2");
    // the recorded checksum is the sha256 of the file's bytes
    EXPECT_EQ(d.exec("SELECT checksum = encode(sha256(convert_to($1, 'UTF8')), 'hex') FROM "
                     "public.pothos_migrations WHERE version = 1",
                     {"CREATE TABLE a (id int PRIMARY KEY);\nINSERT INTO a VALUES (1);\n"})
                  .at(0)
                  .at(0),
              "t");

    CliRun st = run("cli_mig_test", "db status --json " + m.arg());
    ASSERT_EQ(st.code, 0);
    Json stv = json_of(st);
    EXPECT_EQ(stv["applied"].size(), 2u);
    EXPECT_EQ(stv["pending"].size(), 0u);
    CliRun text = run("cli_mig_test", "db status " + m.arg());
    EXPECT_NE(text.out.find("2 applied, 0 pending"), std::string::npos) << text.out;

    // A failing migration is rolled back and named; the ones before it stay.
    m.write("V003__broken.sql", "CREATE TABLE c (id int);\nSELECT no_such_function();\n");
    CliRun broken = run("cli_mig_test", "db migrate " + m.arg());
    EXPECT_EQ(broken.code, 1);
    EXPECT_NE(broken.err.find("V003__broken.sql"), std::string::npos) << broken.err;
    EXPECT_EQ(d.one("SELECT to_regclass('public.c') IS NULL"), "t");
    EXPECT_EQ(d.one("SELECT count(*) FROM public.pothos_migrations"), "2");
}

TEST(CliMigrations, ChangedAppliedFileIsDetectedByChecksum) {
    fresh_database("cli_mig2_test", false);
    MigDir m;
    m.write("V1__one.sql", "CREATE TABLE one (id int);");
    ASSERT_EQ(run("cli_mig2_test", "db migrate " + m.arg()).code, 0);
    m.write("V1__one.sql", "CREATE TABLE one (id bigint);");  // edited after it ran
    m.write("V2__two.sql", "CREATE TABLE two (id int);");
    CliRun st = run("cli_mig2_test", "db status --json " + m.arg());
    EXPECT_EQ(st.code, 1);
    EXPECT_NE(st.err.find("V1__one.sql"), std::string::npos) << st.err;
    Json v = json_of(st);
    ASSERT_EQ(v["changed"].size(), 1u);
    EXPECT_EQ(v["changed"][0], "V1__one.sql");
    CliRun mig = run("cli_mig2_test", "db migrate " + m.arg());
    EXPECT_EQ(mig.code, 1);
    EXPECT_NE(mig.err.find("checksum"), std::string::npos) << mig.err;
    EXPECT_NE(mig.err.find("V1__one.sql"), std::string::npos) << mig.err;
    // nothing applied while an applied file differs
    EXPECT_EQ(Db("cli_mig2_test").one("SELECT to_regclass('public.two') IS NULL"), "t");
    // bad names in the directory are refused before connecting
    m.write("two_without_version.sql", "SELECT 1;");
    CliRun bad = run("cli_mig2_test", "db status " + m.arg());
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.err.find("two_without_version.sql"), std::string::npos);
    EXPECT_EQ(run("cli_mig2_test", "db migrate --dir /nonexistent/migs").code, 1);
}

TEST(CliMigrations, ConcurrentRunsDoNotBothApply) {
    fresh_database("cli_mig3_test", false);
    MigDir m;
    // Not idempotent: applying V1 twice would fail on the existing table.
    m.write("V1__slow.sql", "CREATE TABLE slow_one (id int);\nSELECT pg_sleep(1.5);\n");
    m.write("V2__next.sql", "CREATE TABLE next_one (id int);\n");
    std::string cmd = std::string("env NO_COLOR=1 DATABASE_URL=") + quote(url_for("cli_mig3_test")) + " " +
                      POTHOS_PERF_BIN + " db migrate --json " + m.arg() + " 2>&1";
    FILE* a = popen(cmd.c_str(), "r");
    FILE* b = popen(cmd.c_str(), "r");
    ASSERT_TRUE(a && b);
    CliRun ra = finish(a), rb = finish(b);
    const std::string &oa = ra.out, &ob = rb.out;
    const int ca = ra.code, cb = rb.code;
    EXPECT_EQ(ca, 0) << oa;
    EXPECT_EQ(cb, 0) << ob;
    auto applied_count = [](const std::string& s) {
        // count file names in the "applied" array of the JSON part
        std::size_t pos = s.find("\"applied\"");
        std::size_t end = s.find(']', pos);
        int n = 0;
        for (std::size_t p = s.find(".sql", pos); p != std::string::npos && p < end; p = s.find(".sql", p + 1)) ++n;
        return n;
    };
    int na = applied_count(oa), nb = applied_count(ob);
    EXPECT_EQ(na + nb, 2) << oa << "\n---\n" << ob;
    EXPECT_TRUE((na == 2 && nb == 0) || (na == 0 && nb == 2)) << oa << "\n---\n" << ob;
    // the loser waited for the lock
    EXPECT_NE((na == 0 ? oa : ob).find("waiting for another migration"), std::string::npos);
    EXPECT_EQ(Db("cli_mig3_test").one("SELECT count(*) FROM public.pothos_migrations"), "2");
}

TEST(CliMigrations, ResetRefusalsAndReset) {
    MigDir m;
    m.write("V1__t.sql", "CREATE TABLE t (id int);\n");
    fresh_database("cli_mig_prod", false);
    ASSERT_EQ(run("cli_mig_prod", "db migrate " + m.arg()).code, 0);
    CliRun prod = run("cli_mig_prod", "db reset --force " + m.arg());
    EXPECT_EQ(prod.code, 1);
    EXPECT_NE(prod.err.find("_dev or _test"), std::string::npos) << prod.err;
    EXPECT_EQ(Db("cli_mig_prod").one("SELECT to_regclass('public.t') IS NOT NULL"), "t");

    fresh_database("cli_mig4_dev", false);
    ASSERT_EQ(run("cli_mig4_dev", "db migrate " + m.arg()).code, 0);
    Db d("cli_mig4_dev");
    d.exec("INSERT INTO t VALUES (1)");
    d.exec("CREATE TABLE stray (id int)");
    CliRun noforce = run("cli_mig4_dev", "db reset " + m.arg());
    EXPECT_EQ(noforce.code, 1);
    EXPECT_NE(noforce.err.find("--force"), std::string::npos) << noforce.err;
    EXPECT_EQ(d.one("SELECT count(*) FROM t"), "1");

    CliRun ok = run("cli_mig4_dev", "db reset --force --json " + m.arg());
    ASSERT_EQ(ok.code, 0) << ok.err;
    EXPECT_EQ(json_of(ok)["applied"].size(), 1u);
    EXPECT_EQ(d.one("SELECT count(*) FROM t"), "0");
    EXPECT_EQ(d.one("SELECT to_regclass('public.stray') IS NULL"), "t");
    EXPECT_EQ(d.one("SELECT count(*) FROM public.pothos_migrations"), "1");
}

TEST(CliMigrations, TodoSchemaMigrates) {
    fresh_database("cli_todo_dev", false);
    std::string dir = std::string(POTHOS_SOURCE_DIR) + "/examples/todo/migrations";
    CliRun r = run("cli_todo_dev", "db migrate --json --dir " + quote(dir));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json_of(r)["applied"].size(), 6u);
    EXPECT_EQ(Db("cli_todo_dev").one(
                  "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN "
                  "('users','todo_lists','todos','list_members','login_logs')"),
              "5");
}

// ------------------------------------------------- on a terminal (script(1))

namespace {

// Runs pothos-perf on a pseudo-terminal (util-linux script), feeding `input`.
CliRun run_tty(const std::string& db, const std::string& args, const std::string& input,
               const std::string& env = "") {
    std::string inner = "env DATABASE_URL=" + quote(url_for(db)) + " " + env + " " + POTHOS_PERF_BIN + " " + args;
    return capture("printf " + quote(input) + " | script -qec " + quote(inner) + " /dev/null");
}

}  // namespace

TEST_F(CliServer, ColourOnlyOnATerminalWithoutNoColor) {
    CliRun tty = run_tty(kDb, "top", "", "NO_COLOR=");
    ASSERT_EQ(tty.code, 0) << tty.out;
    EXPECT_NE(tty.out.find("\x1b[1m"), std::string::npos) << tty.out;
    CliRun no = run_tty(kDb, "top", "", "NO_COLOR=1");
    ASSERT_EQ(no.code, 0);
    EXPECT_EQ(no.out.find('\x1b'), std::string::npos) << no.out;
    CliRun flag = run_tty(kDb, "top --no-color", "", "NO_COLOR=");
    EXPECT_EQ(flag.out.find('\x1b'), std::string::npos) << flag.out;
}

TEST_F(CliServer, ApplyAsksOnATerminal) {
    Db d(kDb);
    auto count = [&] { return d.one("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"); };
    std::string before = count();
    std::size_t recommended = json_of(run(kDb, "advise --json"))["recommendations"].size();
    ASSERT_GT(recommended, 0u);
    CliRun no = run_tty(kDb, "advise --apply", "n\n", "NO_COLOR=1");
    EXPECT_EQ(no.code, 0) << no.out;
    EXPECT_NE(no.out.find("[y/N]"), std::string::npos) << no.out;
    EXPECT_NE(no.out.find("nothing created"), std::string::npos) << no.out;
    EXPECT_EQ(count(), before);
    CliRun yes = run_tty(kDb, "advise --apply", "y\n", "NO_COLOR=1");
    EXPECT_EQ(yes.code, 0) << yes.out;
    EXPECT_NE(yes.out.find("created: CREATE INDEX CONCURRENTLY"), std::string::npos) << yes.out;
    EXPECT_EQ(std::size_t(std::stoi(count())), std::stoi(before) + recommended) << yes.out;
}

TEST_F(CliServer, ProgressOnlyOnATerminalAndOnlyForSlowSteps) {
    const std::string slow = "explain " + quote("SELECT pg_sleep(1.6)");
    CliRun tty = run_tty(kDb, slow, "", "NO_COLOR=1");
    ASSERT_EQ(tty.code, 0) << tty.out;
    EXPECT_NE(tty.out.find("running the statement"), std::string::npos) << tty.out;
    CliRun quick = run_tty(kDb, "explain " + quote("SELECT 1"), "", "NO_COLOR=1");
    EXPECT_EQ(quick.out.find("running the statement"), std::string::npos) << quick.out;
    CliRun piped = run(kDb, slow);
    ASSERT_EQ(piped.code, 0) << piped.err;
    EXPECT_EQ(piped.err.find("running the statement"), std::string::npos) << piped.err;
    EXPECT_TRUE(piped.err.empty()) << piped.err;
}
