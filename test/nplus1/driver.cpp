// nplus1_corpus -- replays the labelled N+1 corpus (corpus.txt) against a
// server with pothos_perf loaded, through libpq with the extended protocol
// (bound parameters), and compares pothos_perf.n_plus_one with the labels.
// Prints one line per trace, then precision and recall overall and per kind
// on tagged and on untagged traces; exits 1 if any of them is below 0.95 (or
// on any error).
//
//   nplus1_corpus <conninfo> <corpus.txt>
// The server should run with pothos_perf.track = all (server_side_loop) and
// a short pothos_perf.n_plus_one_idle_gap (the corpus pauses 250-300 ms).
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Step {
    std::vector<std::string> words;
};

// counts <kind> <query> <occurrences> <total_repeats> <max_repeats>: the
// exact figures of a labelled finding.
struct Counts {
    std::string kind, query;
    long occurrences, total_repeats, max_repeats;
};

// together <kind> <query> <query>...: one finding of that kind lists exactly
// these children (the lookups per row of one parent, A B A B ...).
struct Together {
    std::string kind;
    std::set<std::string> children;
};

// A finding as listed, with its child's figures from pothos_perf.statements
// (a finding with several children is listed once per child), and the
// parents it was listed with.
struct Listed {
    long occurrences = 0, total_repeats = 0, max_repeats = 0, calls = 0;
    double wasted_ms = 0, total_exec_ms = 0;
    std::set<std::string> parents;
};

// parent <kind> <query> <parent query>: the finding's parent.
struct Parent {
    std::string kind, query, parent;
};

struct Trace {
    std::string name;
    std::vector<std::pair<std::string, std::string>> labels;  // kind, query name
    std::vector<Counts> counts;
    std::vector<Together> together;
    std::vector<Parent> parents;
    std::string tag = "none";
    int clients = 1;
    int units = 3;
    std::vector<Step> steps;
};

struct Corpus {
    std::map<std::string, std::string> queries;
    std::vector<Trace> traces;
};

std::vector<std::string> split(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> w;
    std::string x;
    while (in >> x) w.push_back(x);
    return w;
}

Corpus load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    Corpus c;
    std::string line;
    Trace* t = nullptr;
    int lineno = 0;
    while (std::getline(in, line)) {
        lineno++;
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> w = split(line);
        if (w.empty()) continue;
        if (w[0] == "query" && w.size() >= 3) {
            size_t at = line.find(w[1]) + w[1].size();
            c.queries[w[1]] = line.substr(line.find_first_not_of(' ', at));
        } else if (w[0] == "trace" && w.size() == 2) {
            c.traces.push_back(Trace{});
            t = &c.traces.back();
            t->name = w[1];
        } else if (!t) {
            throw std::runtime_error("line " + std::to_string(lineno) + ": outside a trace");
        } else if (w[0] == "end") {
            t = nullptr;
        } else if (w[0] == "label" && w.size() == 3) {
            t->labels.emplace_back(w[1], w[2]);
        } else if (w[0] == "counts" && w.size() == 6) {
            t->counts.push_back(Counts{w[1], w[2], std::stol(w[3]), std::stol(w[4]), std::stol(w[5])});
        } else if (w[0] == "together" && w.size() >= 4) {
            t->together.push_back(Together{w[1], std::set<std::string>(w.begin() + 2, w.end())});
        } else if (w[0] == "parent" && w.size() == 4) {
            t->parents.push_back(Parent{w[1], w[2], w[3]});
        } else if (w[0] == "tag" && w.size() == 2) {
            t->tag = w[1];
        } else if (w[0] == "clients" && w.size() == 2) {
            t->clients = std::stoi(w[1]);
        } else if (w[0] == "units" && w.size() == 2) {
            t->units = std::stoi(w[1]);
        } else {
            t->steps.push_back(Step{w});
        }
    }
    for (const Trace& tr : c.traces) {
        for (const auto& l : tr.labels)
            if (!c.queries.count(l.second)) throw std::runtime_error(tr.name + ": unknown query " + l.second);
        for (const Together& g : tr.together)
            for (const std::string& q : g.children)
                if (!c.queries.count(q)) throw std::runtime_error(tr.name + ": unknown query " + q);
        for (const Parent& p : tr.parents)
            if (!c.queries.count(p.query) || !c.queries.count(p.parent))
                throw std::runtime_error(tr.name + ": unknown query in parent line");
    }
    return c;
}

// Text for matching: whitespace collapsed, comments dropped, and parameters,
// numbers (decimals too) and quoted strings as '?' (the server stores
// normalized texts).
std::string collapse(const std::string& s) {
    std::string out;
    bool space = false;
    for (size_t i = 0; i < s.size(); i++) {
        char ch = s[i];
        if (ch == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            size_t end = s.find("*/", i + 2);
            i = end == std::string::npos ? s.size() : end + 1;
            space = true;
            continue;
        }
        if (ch == ' ' || ch == '\n' || ch == '\t') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        bool word_before = !out.empty() && (isalnum((unsigned char) out.back()) || out.back() == '_');
        if (ch == '$' || (isdigit((unsigned char) ch) && !word_before)) {
            size_t j = i + 1;
            while (j < s.size() && (isdigit((unsigned char) s[j]) ||
                                    (ch != '$' && s[j] == '.' && j + 1 < s.size() && isdigit((unsigned char) s[j + 1]))))
                j++;
            out += '?';
            i = j - 1;
        } else if (ch == '\'') {
            size_t j = s.find('\'', i + 1);
            out += '?';
            i = j == std::string::npos ? s.size() : j;
        } else {
            out += ch;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

class Runner {
public:
    Runner(std::string conninfo, const Corpus& corpus) : conninfo_(std::move(conninfo)), corpus_(corpus) {}
    ~Runner() { close_all(); }

    PGconn* admin() {
        if (!admin_) admin_ = open("nplus1_corpus_admin");
        return admin_;
    }

    void exec_admin(const std::string& sql) { check(PQexec(admin(), sql.c_str()), admin(), sql); }

    // Runs one trace, returns the findings listed by (kind, query name).
    std::map<std::pair<std::string, std::string>, Listed> run(const Trace& t, int trace_no) {
        trace_ = &t;
        trace_no_ = trace_no;
        // Statement statistics too: every finding is checked against its child's calls.
        exec_admin("SELECT pothos_perf.reset()");
        exec_admin("SELECT pothos_perf.n_plus_one_reset()");
        if (const char* occ = getenv("NPLUS1_MIN_OCCURRENCES"))
            exec_admin(std::string("SET pothos_perf.n_plus_one_min_occurrences = ") + occ);
        open_pool(t);
        for (unit_ = 0; unit_ < t.units; unit_++) {
            for (const Step& s : t.steps) step(s);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        close_all();
        return findings();
    }

private:
    PGconn* open(const std::string& app) {
        std::string ci = conninfo_ + " application_name=" + app;
        PGconn* c = PQconnectdb(ci.c_str());
        if (PQstatus(c) != CONNECTION_OK) {
            std::string msg = PQerrorMessage(c);
            PQfinish(c);
            throw std::runtime_error("connect: " + msg);
        }
        return c;
    }

    void close_all() {
        for (auto& kv : conns_) PQfinish(kv.second);
        conns_.clear();
        request_.clear();
    }

    PGconn* conn(int i) {
        auto it = conns_.find(i);
        if (it != conns_.end()) return it->second;
        PGconn* c = open("nplus1_" + trace_->name + "_c" + std::to_string(i / 10));
        conns_[i] = c;
        return c;
    }

    // Opens every connection the trace uses before it runs, as a pool
    // would: a loop on pooled connections does not wait for connections
    // being set up between two lookups.
    void open_pool(const Trace& t) {
        std::set<int> used;
        for (const Step& s : t.steps) {
            const std::vector<std::string>& w = s.words;
            auto add_spec = [&](const std::string& spec) {
                if (spec.rfind("rr", 0) == 0)
                    for (int c = 0; c < std::stoi(spec.substr(2)); c++) used.insert(c);
                else
                    used.insert(std::stoi(spec));
            };
            if (w[0] == "loop" || w[0] == "loopq" || w[0] == "txloop") add_spec(w[2]);
            if (w[0] == "conc")
                for (int c = 0; c < std::stoi(w[2]); c++) used.insert(c);
            if (w[0] == "overlap")
                for (int c = 0; c < std::stoi(w[1]); c++)
                    for (int j = 0; j < 10; j++) used.insert(c * 10 + j);
        }
        for (int c : used) conn(c);
    }

    static void check(PGresult* r, PGconn* c, const std::string& what) {
        ExecStatusType st = PQresultStatus(r);
        bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN;
        std::string msg = ok ? "" : PQerrorMessage(c);
        PQclear(r);
        if (!ok) throw std::runtime_error(what + ": " + msg);
    }

    // The tag comment of this unit.
    std::string tagged(const std::string& sql) {
        if (trace_->tag != "trace") return sql;
        char trace_id[33], span[17];
        unsigned long long a = 0x9e3779b97f4a7c15ull * (unsigned long long) (trace_no_ + 1);
        unsigned long long b = 0xc2b2ae3d27d4eb4full * (unsigned long long) (unit_ + 1) + a;
        snprintf(trace_id, sizeof trace_id, "%016llx%016llx", a, b);
        snprintf(span, sizeof span, "%016llx", b ^ (unsigned long long) ++span_no_);
        return sql + " /*traceparent='00-" + trace_id + "-" + span + "-01'*/";
    }

    void ensure_request_id(int c) {
        if (trace_->tag != "request_id") return;
        std::string id = trace_->name + "-" + std::to_string(unit_);
        if (request_[c] == id) return;
        check(PQexec(conn(c), ("SET pothos_perf.request_id = '" + id + "'").c_str()), conn(c), "SET request_id");
        request_[c] = id;
    }

    long value(const std::string& expr, int i) const {
        // integer | u | i | i+<k> | u+<k> | u*<k>[+<expr>] | i*<k>[+<m>] | i%<k>[+<m>] | r<k>
        long u = unit_;
        if (is_row_value(expr)) return std::stol(row_value(expr, i));
        if (expr == "u") return u;
        if (expr == "i") return i;
        if (expr.rfind("i+", 0) == 0) return i + std::stol(expr.substr(2));
        if (expr.rfind("u+", 0) == 0) return u + std::stol(expr.substr(2));
        if (expr.rfind("u*", 0) == 0) {
            size_t plus = expr.find('+');
            long k = std::stol(expr.substr(2, plus == std::string::npos ? std::string::npos : plus - 2));
            long rest = 0;
            if (plus != std::string::npos) rest = value(expr.substr(plus + 1), i);
            return u * k + rest;
        }
        if (expr.rfind("i%", 0) == 0) {  // i%<k>[+<m>]
            size_t plus = expr.find('+');
            long k = std::stol(expr.substr(2, plus == std::string::npos ? std::string::npos : plus - 2));
            long rest = plus == std::string::npos ? 0 : std::stol(expr.substr(plus + 1));
            return long(i) % k + rest;
        }
        if (expr.rfind("i*", 0) == 0) {
            size_t plus = expr.find('+');
            long k = std::stol(expr.substr(2, plus == std::string::npos ? std::string::npos : plus - 2));
            long rest = plus == std::string::npos ? 0 : std::stol(expr.substr(plus + 1));
            return long(i) * k + rest;
        }
        return std::stol(expr);
    }

    // r<k>: column k of row i of the last result of a `q` step (the keys a
    // loop takes from its parent's rows).
    static bool is_row_value(const std::string& expr) {
        return expr.size() >= 2 && expr[0] == 'r' && isdigit((unsigned char) expr[1]);
    }
    std::string row_value(const std::string& expr, int i) const {
        size_t col = std::stoul(expr.substr(1));
        if (size_t(i) >= rows_.size() || col >= rows_[size_t(i)].size())
            throw std::runtime_error(trace_->name + ": no " + expr + " in row " + std::to_string(i));
        return rows_[size_t(i)][col];
    }

    // A loop count: an integer, or * for every row of the last result.
    int count_of(const std::string& n) const { return n == "*" ? int(rows_.size()) : std::stoi(n); }

    std::string arg(const std::string& expr, int i) const {
        if (is_row_value(expr)) return row_value(expr, i);
        if (!expr.empty() && expr[0] == '{') {  // {i+1:8}: the array i+1 for i in 0..7
            size_t colon = expr.find(':');
            std::string e = expr.substr(1, colon - 1);
            int n = std::stoi(expr.substr(colon + 1, expr.size() - colon - 2));
            std::string out = "{";
            for (int k = 0; k < n; k++) out += (k ? "," : "") + std::to_string(value(e, k));
            return out + "}";
        }
        return std::to_string(value(expr, i));
    }

    const std::string& sql_of(const std::string& name) const {
        auto it = corpus_.queries.find(name);
        if (it == corpus_.queries.end()) throw std::runtime_error("unknown query " + name);
        return it->second;
    }

    static int params_in(const std::string& sql) {
        int n = 0;
        for (size_t p = sql.find('$'); p != std::string::npos; p = sql.find('$', p + 1))
            n = std::max(n, std::atoi(sql.c_str() + p + 1));
        return n;
    }

    void send(int c, const std::string& name, const std::vector<std::string>& args) {
        ensure_request_id(c);
        std::string sql = tagged(sql_of(name));
        std::vector<const char*> values;
        for (const std::string& a : args) values.push_back(a.c_str());
        if (!PQsendQueryParams(conn(c), sql.c_str(), int(values.size()), nullptr, values.data(), nullptr, nullptr, 0))
            throw std::runtime_error("send " + name + ": " + PQerrorMessage(conn(c)));
    }

    // Waits for c's result; its rows (if keep) are added to the last result.
    std::string drain(int c, const std::string& what, bool keep = false) {
        std::string first;
        while (PGresult* r = PQgetResult(conn(c))) {
            if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && first.empty())
                first = PQgetvalue(r, 0, 0);
            if (keep && PQresultStatus(r) == PGRES_TUPLES_OK) {
                for (int row = 0; row < PQntuples(r); row++) {
                    std::vector<std::string> v;
                    for (int col = 0; col < PQnfields(r); col++) v.push_back(PQgetvalue(r, row, col));
                    rows_.push_back(v);
                }
            }
            check(r, conn(c), what);
        }
        return first;
    }

    std::string run_query(int c, const std::string& name, const std::vector<std::string>& args) {
        send(c, name, args);
        return drain(c, name);
    }

    std::vector<std::string> args_of(const std::vector<std::string>& w, size_t from, int i, const std::string& name) {
        std::vector<std::string> a;
        for (size_t k = from; k < w.size(); k++) a.push_back(arg(w[k], i));
        if (int(a.size()) != params_in(sql_of(name)))
            throw std::runtime_error(trace_->name + ": wrong argument count for " + name);
        return a;
    }

    static int conn_of(const std::string& spec, int i) {
        if (spec.rfind("rr", 0) == 0) return i % std::stoi(spec.substr(2));
        return std::stoi(spec);
    }

    void simple(int c, const std::string& sql) { check(PQexec(conn(c), sql.c_str()), conn(c), sql); }

    void step(const Step& s) {
        const std::vector<std::string>& w = s.words;
        const std::string& op = w[0];
        if (op == "q") {
            const int c = std::stoi(w[1]);
            send(c, w[2], args_of(w, 3, 0, w[2]));
            rows_.clear();
            drain(c, w[2], true);
        } else if (op == "loop" || op == "loopq") {
            // loopq: the rows of all n results become the last result
            int n = count_of(w[1]);
            std::vector<std::vector<std::string>> rows;
            for (int i = 0; i < n; i++) {
                const int c = conn_of(w[2], i);
                send(c, w[3], args_of(w, 4, i, w[3]));
                if (op == "loopq") {
                    std::swap(rows, rows_);
                    drain(c, w[3], true);
                    std::swap(rows, rows_);
                } else {
                    drain(c, w[3]);
                }
            }
            if (op == "loopq") rows_ = rows;
        } else if (op == "pair") {
            int n = count_of(w[1]), c = std::stoi(w[2]);
            for (int i = 0; i < n; i++) {
                for (size_t k = 3; k < w.size(); k++) {
                    // name, or name:arg,arg (else i+1 for a query with a parameter)
                    const size_t colon = w[k].find(':');
                    const std::string name = w[k].substr(0, colon);
                    std::vector<std::string> a;
                    if (colon != std::string::npos) {
                        std::istringstream in(w[k].substr(colon + 1));
                        for (std::string x; std::getline(in, x, ',');) a.push_back(arg(x, i));
                    } else if (params_in(sql_of(name)) > 0) {
                        a.push_back(std::to_string(i + 1));
                    }
                    run_query(c, name, a);
                }
            }
        } else if (op == "conc") {
            int n = count_of(w[1]), k = std::stoi(w[2]);
            for (int wave = 0; wave < n; wave += k) {
                int m = std::min(k, n - wave);
                for (int j = 0; j < m; j++) send(j, w[3], args_of(w, 4, wave + j, w[3]));
                for (int j = 0; j < m; j++) drain(j, w[3]);
            }
        } else if (op == "overlap") {
            int clients = std::stoi(w[1]), n = std::stoi(w[2]);
            for (int c = 0; c < clients; c++) run_query(c * 10, w[3], {std::to_string(unit_ * 10 + c * 3)});
            for (int wave = 0; wave < n; wave += 10) {
                int m = std::min(10, n - wave);
                for (int j = 0; j < m; j++)
                    for (int c = 0; c < clients; c++)
                        send(c * 10 + j, w[4], {std::to_string(unit_ * 10 + c * 3 + wave + j + 1)});
                for (int j = 0; j < m; j++)
                    for (int c = 0; c < clients; c++) drain(c * 10 + j, w[4]);
            }
        } else if (op == "txloop") {
            int n = std::stoi(w[1]);
            for (int i = 0; i < n; i++) {
                int c = conn_of(w[2], i);
                simple(c, "BEGIN");
                std::string id = run_query(c, w[3], {});
                if (!id.empty()) run_query(c, w[4], {id});
                simple(c, "COMMIT");
            }
        } else if (op == "begin") {
            simple(std::stoi(w[1]), "BEGIN");
        } else if (op == "commit") {
            simple(std::stoi(w[1]), "COMMIT");
        } else if (op == "sleep") {
            std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(w[1])));
        } else if (op == "sql") {
            std::string text;
            for (size_t k = 2; k < w.size(); k++) text += (k > 2 ? " " : "") + w[k];
            simple(std::stoi(w[1]), text);
        } else if (op == "copy") {
            int c = std::stoi(w[1]), rows = std::stoi(w[2]);
            ensure_request_id(c);
            check(PQexec(conn(c), tagged("COPY logs (user_id, note) FROM STDIN").c_str()), conn(c), "COPY");
            std::string data;
            for (int r = 0; r < rows; r++) data += std::to_string(r) + "\tcopy\n";
            if (PQputCopyData(conn(c), data.data(), int(data.size())) != 1 || PQputCopyEnd(conn(c), nullptr) != 1)
                throw std::runtime_error("COPY data");
            drain(c, "COPY end");
        } else {
            throw std::runtime_error(trace_->name + ": unknown step " + op);
        }
    }

    // The name of a listed text in the corpus ("?<text>" if none).
    std::string name_of(const std::string& listed) const {
        std::string text = collapse(listed);
        std::string name = "?" + text;
        size_t best = 0;
        for (const auto& q : corpus_.queries) {
            std::string c = collapse(q.second);
            if (text.rfind(c, 0) == 0 && c.size() > best) {
                name = q.first;
                best = c.size();
            }
        }
        return name;
    }

    // One line per child of every finding (child 1 is the finding's query).
    std::map<std::pair<std::string, std::string>, Listed> findings() {
        PGresult* r = PQexec(admin(),
                             "SELECT n.kind, c.query, n.occurrences, c.repeats, n.max_repeats, "
                             "c.wasted, coalesce(s.calls, 0), coalesce(s.total_exec_time, 0), c.ord, "
                             "n.total_repeats, n.wasted_time_ms, n.child_queryids[1] = n.queryid, "
                             "coalesce(n.parent_query, '') "
                             "FROM pothos_perf.n_plus_one n CROSS JOIN LATERAL "
                             "unnest(n.child_queryids, n.child_queries, n.child_total_repeats, n.child_wasted_time_ms) "
                             "WITH ORDINALITY AS c(queryid, query, repeats, wasted, ord) LEFT JOIN "
                             "(SELECT userid, dbid, queryid, sum(calls) AS calls, "
                             "sum(total_exec_time) AS total_exec_time FROM pothos_perf.statements "
                             "GROUP BY 1, 2, 3) s ON s.userid = n.userid AND s.dbid = n.dbid AND s.queryid = c.queryid "
                             "ORDER BY n.kind, n.userid, n.dbid, n.parent_queryid, n.queryid, c.ord");
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            std::string msg = PQerrorMessage(admin());
            PQclear(r);
            throw std::runtime_error("reading n_plus_one: " + msg);
        }
        std::map<std::pair<std::string, std::string>, Listed> out;
        groups_.clear();
        mismatched_ = false;
        for (int row = 0; row < PQntuples(r); row++) {
            std::string kind = PQgetvalue(r, row, 0);
            std::string name = name_of(PQgetvalue(r, row, 1));
            bool first = std::string(PQgetvalue(r, row, 8)) == "1";
            Listed& l = out[{kind, name}];
            // The finding's figures are its first child's: they must agree.
            if (first && (std::string(PQgetvalue(r, row, 3)) != PQgetvalue(r, row, 9) ||
                          std::string(PQgetvalue(r, row, 11)) != "t"))
                mismatched_ = true;
            if (first) l.occurrences += std::stol(PQgetvalue(r, row, 2));
            if (*PQgetvalue(r, row, 12)) l.parents.insert(name_of(PQgetvalue(r, row, 12)));
            l.total_repeats += std::stol(PQgetvalue(r, row, 3));
            if (first) l.max_repeats = std::max(l.max_repeats, std::stol(PQgetvalue(r, row, 4)));
            l.wasted_ms += std::stod(PQgetvalue(r, row, 5));
            l.calls = std::stol(PQgetvalue(r, row, 6));
            l.total_exec_ms = std::stod(PQgetvalue(r, row, 7));
            if (first) groups_.push_back(Together{kind, {}});
            if (!groups_.empty()) groups_.back().children.insert(name);
        }
        PQclear(r);
        return out;
    }

public:
    // The children of every finding read by the last findings().
    const std::vector<Together>& groups() const { return groups_; }
    bool mismatched() const { return mismatched_; }

private:
    std::string conninfo_;
    const Corpus& corpus_;
    PGconn* admin_ = nullptr;
    std::map<int, PGconn*> conns_;
    std::map<int, std::string> request_;
    std::vector<std::vector<std::string>> rows_;  // the last result of a `q` step
    const Trace* trace_ = nullptr;
    std::vector<Together> groups_;
    bool mismatched_ = false;
    int trace_no_ = 0;
    int unit_ = 0;
    int span_no_ = 0;
};

const char* kSchema = R"SQL(
DROP SCHEMA IF EXISTS nplus1_corpus CASCADE;
CREATE SCHEMA nplus1_corpus;
SET search_path = nplus1_corpus;
CREATE TABLE users (id int PRIMARY KEY, name text);
CREATE TABLE lists (id int PRIMARY KEY, owner_id int NOT NULL, name text);
CREATE TABLE todos (id int PRIMARY KEY, list_id int NOT NULL, user_id int NOT NULL, title text,
                    done bool NOT NULL DEFAULT false, created_at int NOT NULL);
CREATE TABLE list_members (list_id int, user_id int, role text, PRIMARY KEY (list_id, user_id));
CREATE TABLE logs (user_id int, note text);
CREATE TABLE jobs (id int PRIMARY KEY, done bool NOT NULL DEFAULT false);
INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 500) g;
INSERT INTO lists SELECT g, g, 'list ' || g FROM generate_series(1, 100) g;
INSERT INTO todos SELECT g, g % 100 + 1, (g * 37 + 50) % 500 + 1, 'todo ' || g, false, g FROM generate_series(1, 2000) g;
INSERT INTO list_members SELECT l, u, 'member' FROM generate_series(1, 100) l, generate_series(0, 5) u;
INSERT INTO jobs SELECT g, false FROM generate_series(1, 1000) g;
CREATE FUNCTION pothos_np_names(n int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text := ''; nm text;
BEGIN
  FOR i IN 1..n LOOP
    SELECT name INTO nm FROM users WHERE id = i;
    r := r || nm;
  END LOOP;
  RETURN r;
END $$;
)SQL";

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <conninfo> <corpus.txt>\n", argv[0]);
        return 2;
    }
    try {
        Corpus corpus = load(argv[2]);
        // Every connection works in the corpus schema.
        std::string conninfo = std::string(argv[1]) + " options='-c search_path=nplus1_corpus'";
        Runner runner(conninfo, corpus);
        runner.exec_admin("SET client_min_messages = warning");
        runner.exec_admin("CREATE EXTENSION IF NOT EXISTS pothos_perf");
        runner.exec_admin(kSchema);
        int positives = 0, negatives = 0, miscounted = 0;
        // tp, fp, fn per (kind, tagged?), and overall.
        std::map<std::pair<std::string, bool>, std::array<int, 3>> score;
        std::array<int, 3> total{};
        auto count = [&](const std::string& kind, bool tagged, int which) {
            score[{kind, tagged}][size_t(which)]++;
            total[size_t(which)]++;
        };
        for (size_t n = 0; n < corpus.traces.size(); n++) {
            const Trace& t = corpus.traces[n];
            if (getenv("NPLUS1_ONLY") && t.name != getenv("NPLUS1_ONLY")) continue;
            const bool tagged = t.tag != "none";
            std::map<std::pair<std::string, std::string>, Listed> got = runner.run(t, int(n));
            std::set<std::pair<std::string, std::string>> want(t.labels.begin(), t.labels.end());
            (want.empty() ? negatives : positives)++;
            std::string notes;
            for (const auto& w : want) {
                if (got.count(w)) {
                    count(w.first, tagged, 0);
                } else {
                    count(w.first, tagged, 2);
                    notes += " missed " + w.first + ":" + w.second;
                }
            }
            for (const auto& g : got) {
                const std::string what = g.first.first + ":" + g.first.second;
                if (!want.count(g.first)) {
                    count(g.first.first, tagged, 1);
                    notes += " unexpected " + what;
                }
                // A repeat is an execution of the child: never more than it ran.
                const Listed& l = g.second;
                if (l.total_repeats > l.calls || l.wasted_ms > l.total_exec_ms * 1.001 + 0.01) {
                    miscounted++;
                    notes += " over-counted " + what + " (repeats " + std::to_string(l.total_repeats) + ", calls " +
                             std::to_string(l.calls) + ", wasted " + std::to_string(l.wasted_ms) + " ms of " +
                             std::to_string(l.total_exec_ms) + " ms)";
                }
            }
            for (const Counts& c : t.counts) {
                auto it = got.find({c.kind, c.query});
                if (it == got.end()) continue;  // missed: counted above
                const Listed& l = it->second;
                if (l.occurrences != c.occurrences || l.total_repeats != c.total_repeats ||
                    l.max_repeats != c.max_repeats) {
                    miscounted++;
                    notes += " counts " + c.kind + ":" + c.query + " " + std::to_string(l.occurrences) + "/" +
                             std::to_string(l.total_repeats) + "/" + std::to_string(l.max_repeats) + " want " +
                             std::to_string(c.occurrences) + "/" + std::to_string(c.total_repeats) + "/" +
                             std::to_string(c.max_repeats);
                }
            }
            for (const Together& g : t.together) {
                bool found = false;
                for (const Together& h : runner.groups())
                    found = found || (h.kind == g.kind && h.children == g.children);
                if (!found) {
                    miscounted++;
                    std::string names;
                    for (const std::string& q : g.children) names += (names.empty() ? "" : ",") + q;
                    notes += " not-one-finding " + g.kind + ":" + names;
                }
            }
            for (const Parent& p : t.parents) {
                auto it = got.find({p.kind, p.query});
                if (it == got.end()) continue;  // missed: counted above
                if (it->second.parents != std::set<std::string>{p.parent}) {
                    miscounted++;
                    std::string names;
                    for (const std::string& q : it->second.parents) names += (names.empty() ? "" : ",") + q;
                    notes += " parent " + p.kind + ":" + p.query + " is " + (names.empty() ? "none" : names) +
                             " want " + p.parent;
                }
            }
            if (runner.mismatched()) {
                miscounted++;
                notes += " first child figures differ from the finding's";
            }
            printf("%-36s %-9s%s\n", t.name.c_str(), notes.empty() ? "ok" : "WRONG", notes.c_str());
            fflush(stdout);
        }
        auto ratio = [](int a, int b) { return a + b ? double(a) / (a + b) : 1.0; };
        const double precision = ratio(total[0], total[1]);
        const double recall = ratio(total[0], total[2]);
        printf("traces %zu (%d positive, %d negative): tp %d fp %d fn %d\n", corpus.traces.size(), positives,
               negatives, total[0], total[1], total[2]);
        printf("precision %.3f recall %.3f, findings miscounted %d\n", precision, recall, miscounted);
        bool low = precision < 0.95 || recall < 0.95;
        printf("%-18s %-9s %4s %4s %4s %9s %7s\n", "kind", "traffic", "tp", "fp", "fn", "precision", "recall");
        for (const auto& s : score) {
            const double p = ratio(s.second[0], s.second[1]), r = ratio(s.second[0], s.second[2]);
            low = low || p < 0.95 || r < 0.95;
            printf("%-18s %-9s %4d %4d %4d %9.3f %7.3f\n", s.first.first.c_str(), s.first.second ? "tagged" : "untagged",
                   s.second[0], s.second[1], s.second[2], p, r);
        }
        if (miscounted > 0) {
            printf("FAIL: a finding counted more repeats than its child ran, or not the expected counts or parent\n");
            return 1;
        }
        if (low) {
            printf("FAIL: precision and recall must be at least 0.95, overall and per kind and traffic\n");
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        fprintf(stderr, "nplus1_corpus: %s\n", e.what());
        return 1;
    }
}
