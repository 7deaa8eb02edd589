// todo-demo: the resolvers of a small GraphQL todo API, written with the
// pothos client library, serving
//
//     query { viewer { lists { todos { assignee { name } } } } }
//
// for many users. Two implementations of the same resolvers:
//
//   naive       one query per parent row: the lists resolver runs one todos
//               query per list, each todo runs one users query for its
//               assignee; sibling resolvers run concurrently over the pool,
//               as a GraphQL server resolves them (the N+1 pattern);
//   dataloader  per-request DataLoaders: the todos of all lists in one
//               "list_id = ANY($1)" query, the assignees in one
//               "id = ANY($1)" query.
//
// Every statement of a request is tagged with the request's id (sqlcommenter
// traceparent), so the extension groups a request's statements into one unit
// of work even though they ran on several pooled connections.
//
// Prints, per run: requests, statements sent (round trips), wall time and the
// p50/p95 request latency, all measured in this run, plus a digest of the
// responses (equal digests: both implementations returned the same data), and
// one machine-readable "RESULT ..." line. The dataloader phase then serves
// one more request through create_data_loaders (the specification's
// createDataLoaders: user, todo, todo list, todos by user, users by todo
// list), outside the measured run, and prints one "LOADER <name>: K keys in B
// batches" line per loader.
//
// Usage: todo-demo --phase naive|dataloader [--requests N] [--concurrency C]
//                  [--pool N] [--min-lists K] [--label TEXT]
// Connection: DATABASE_URL (or the other variables of pothos::Config::from_env).

#include <pothos/pothos.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string phase;
    int requests = 200;
    int concurrency = 4;
    int pool = 8;
    int min_lists = 5;
    std::string label;
};

constexpr const char* kUsage =
    "usage: todo-demo --phase naive|dataloader [--requests N] [--concurrency C]\n"
    "                 [--pool N] [--min-lists K] [--label TEXT]\n"
    "  --requests N     requests to serve (default 200)\n"
    "  --concurrency C  requests served at a time (default 4)\n"
    "  --pool N         connections in the pool (default 8)\n"
    "  --min-lists K    viewers are users owning at least K lists (default 5)\n"
    "connection: DATABASE_URL, or POSTGRES_HOST/PORT/USER/PASSWORD/DB\n";

[[noreturn]] void usage(const char* msg) {
    std::fprintf(stderr, "todo-demo: %s\n%s", msg, kUsage);
    std::exit(2);
}

int positive(const char* name, const char* v) {
    char* end = nullptr;
    long n = std::strtol(v, &end, 10);
    if (!end || *end || n < 1 || n > 1000000) usage((std::string(name) + ": expected a positive integer").c_str());
    return static_cast<int>(n);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) usage((a + " needs a value").c_str());
            return argv[++i];
        };
        if (a == "--phase") o.phase = next();
        else if (a == "--requests") o.requests = positive("--requests", next());
        else if (a == "--concurrency") o.concurrency = positive("--concurrency", next());
        else if (a == "--pool") o.pool = positive("--pool", next());
        else if (a == "--min-lists") o.min_lists = positive("--min-lists", next());
        else if (a == "--label") o.label = next();
        else if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        }
        else usage(("unknown argument " + a).c_str());
    }
    if (o.phase != "naive" && o.phase != "dataloader") usage("--phase must be naive or dataloader");
    if (o.label.empty()) o.label = o.phase;
    return o;
}

// What one request resolved, folded into counts and an order-independent digest.
struct Response {
    std::uint64_t lists = 0, todos = 0, assignees = 0, digest = 0;
    void add(std::uint64_t kind, std::int64_t id, std::string_view text) {
        std::uint64_t h = 1469598103934665603ull ^ kind;  // FNV-1a of (kind, id, text)
        auto mix = [&h](unsigned char c) { h = (h ^ c) * 1099511628211ull; };
        for (int b = 0; b < 8; ++b) mix(static_cast<unsigned char>(static_cast<std::uint64_t>(id) >> (8 * b)));
        for (char c : text) mix(static_cast<unsigned char>(c));
        digest += h;  // a sum: the order in which resolvers finish does not matter
    }
};

// The statements each resolver sends. Column lists are the API's fields.
const char* const kViewer = "SELECT id, name, email FROM users WHERE id = $1";
const char* const kLists = "SELECT id, title FROM todo_lists WHERE owner_id = $1 ORDER BY id";
const char* const kTodosOfList =
    "SELECT id, title, status, assignee_id FROM todos WHERE list_id = $1 ORDER BY position, id";
const char* const kUser = "SELECT id, name FROM users WHERE id = $1";
const char* const kTodosOfLists =
    "SELECT id, list_id, title, status, assignee_id FROM todos WHERE list_id = ANY($1::bigint[]) "
    "ORDER BY list_id, position, id";
const char* const kUsers = "SELECT id, name FROM users WHERE id = ANY($1::bigint[])";

class Api {
public:
    Api(pothos::Client& db) : db_(db) {}

    std::uint64_t statements() const { return statements_.load(); }

    pothos::Result q(const char* sql, const pothos::Params& p, const std::string& rid) {
        pothos::QueryOptions o;
        o.request_id = rid;
        o.read_only = true;
        statements_.fetch_add(1);
        return db_.query(sql, p, o);
    }

    // viewer + lists: the same in both implementations (one row, one parent query).
    pothos::Result viewer_and_lists(std::int64_t uid, const std::string& rid, Response& out) {
        pothos::Result v = q(kViewer, pothos::params(uid), rid);
        if (v.rows() != 1) throw std::runtime_error("viewer " + std::to_string(uid) + " not found");
        out.add(1, v.as_int(0, 0), v.get(0, 1));
        pothos::Result lists = q(kLists, pothos::params(uid), rid);
        for (int i = 0; i < lists.rows(); ++i) {
            ++out.lists;
            out.add(2, lists.as_int(i, 0), lists.get(i, 1));
        }
        return lists;
    }

    // Naive resolvers: each list's todos resolver and each todo's assignee
    // resolver sends its own query; siblings run concurrently.
    Response naive(std::int64_t uid, const std::string& rid) {
        Response out;
        pothos::Result lists = viewer_and_lists(uid, rid, out);
        std::vector<std::future<Response>> per_list;
        for (int i = 0; i < lists.rows(); ++i) {
            const std::int64_t list_id = lists.as_int(i, 0);
            per_list.push_back(std::async(std::launch::async, [this, list_id, &rid] {
                Response r;
                pothos::Result todos = q(kTodosOfList, pothos::params(list_id), rid);
                std::vector<std::future<pothos::Result>> assignees;
                for (int t = 0; t < todos.rows(); ++t) {
                    ++r.todos;
                    r.add(3, todos.as_int(t, 0), todos.get(t, 1));
                    if (todos.is_null(t, 3)) continue;
                    const std::int64_t user_id = todos.as_int(t, 3);
                    assignees.push_back(std::async(std::launch::async, [this, user_id, &rid] {
                        return q(kUser, pothos::params(user_id), rid);
                    }));
                }
                for (auto& f : assignees) {
                    pothos::Result u = f.get();
                    if (u.rows() == 1) {
                        ++r.assignees;
                        r.add(4, u.as_int(0, 0), u.get(0, 1));
                    }
                }
                return r;
            }));
        }
        for (auto& f : per_list) {
            Response r = f.get();
            out.lists += r.lists;
            out.todos += r.todos;
            out.assignees += r.assignees;
            out.digest += r.digest;
        }
        return out;
    }

    // DataLoader resolvers: the sibling resolvers load() their keys, the
    // loader sends one batched query per level (dispatch at the end of the
    // level, as a GraphQL executor's tick ends). Loaders are per request.
    Response batched(std::int64_t uid, const std::string& rid) {
        struct Todo {
            std::int64_t id;
            std::string title;
            std::optional<std::int64_t> assignee;
        };
        using TodoLoader = pothos::DataLoader<std::int64_t, std::vector<Todo>>;
        pothos::DataLoaderOptions lo;
        lo.request_id = rid;

        TodoLoader todos_of_list(
            [this, &rid](const std::vector<std::int64_t>& keys) {
                // The keys go as one exact bigint[] parameter.
                pothos::Result r = q(kTodosOfLists, pothos::params(keys), rid);
                std::map<std::int64_t, std::vector<Todo>> by_list;
                for (const pothos::Row& row : r) {
                    by_list[row.get<std::int64_t>("list_id")].push_back(
                        Todo{row.get<std::int64_t>("id"), row.get<std::string>("title"),
                             row.get<std::optional<std::int64_t>>("assignee_id")});
                }
                std::vector<TodoLoader::Outcome> out;
                for (auto k : keys) out.emplace_back(std::move(by_list[k]));
                return out;
            },
            lo);

        // One row per key, as the library's ready "= ANY($1)" loader
        // (make_any_loader) returns them, with exact bigint keys.
        using UserLoader = pothos::AnyLoaderOf<std::int64_t>;
        auto users = [&] {
            auto fn = [this, &rid](const std::vector<std::int64_t>& keys) {
                pothos::Result r = q(kUsers, pothos::params(keys), rid);
                std::map<std::int64_t, pothos::Record> rows;
                for (const pothos::Row& row : r)
                    rows[row.get<std::int64_t>("id")] = pothos::Record{
                        {"id", row.get<std::optional<std::string>>("id")},
                        {"name", row.get<std::optional<std::string>>("name")}};
                std::vector<UserLoader::Outcome> out;
                for (const auto k : keys) {
                    auto it = rows.find(k);
                    out.emplace_back(it == rows.end() ? std::optional<pothos::Record>()
                                                      : std::optional<pothos::Record>(it->second));
                }
                return out;
            };
            return std::make_unique<UserLoader>(fn, lo);
        }();

        Response out;
        pothos::Result lists = viewer_and_lists(uid, rid, out);
        std::vector<std::shared_future<std::vector<Todo>>> level2;
        for (int i = 0; i < lists.rows(); ++i) level2.push_back(todos_of_list.load(lists.as_int(i, 0)));
        todos_of_list.dispatch();
        std::vector<std::shared_future<std::optional<pothos::Record>>> level3;
        for (auto& f : level2) {
            for (const Todo& t : f.get()) {
                ++out.todos;
                out.add(3, t.id, t.title);
                if (t.assignee) level3.push_back(users->load(*t.assignee));
            }
        }
        users->dispatch();
        for (auto& f : level3) {
            const auto& rec = f.get();
            if (!rec) continue;
            ++out.assignees;
            const auto& id = rec->at("id");
            const auto& name = rec->at("name");
            out.add(4, id ? std::stoll(*id) : 0, name ? *name : std::string());
        }
        return out;
    }

private:
    pothos::Client& db_;
    std::atomic<std::uint64_t> statements_{0};
};

// ---- the specification's loader factory ----------------------------------------
// createDataLoaders: one set of loaders per request, each sending one
// "= ANY($1)" query per batch. One-to-one loaders return a key's row (or
// nullopt when it has none), one-to-many loaders the key's rows (empty when
// none), always in the order of the keys.
using OneLoader = pothos::AnyLoaderOf<std::int64_t>;
using ManyLoader = pothos::DataLoader<std::int64_t, std::vector<pothos::Record>>;

// The rows of sql (one parameter: the key array) grouped by key_column.
std::unique_ptr<ManyLoader> make_many_loader(pothos::Client& db, std::string sql, std::string key_column,
                                             pothos::DataLoaderOptions lo) {
    const std::string rid = lo.request_id;
    auto fn = [&db, sql = std::move(sql), key_column = std::move(key_column),
               rid](const std::vector<std::int64_t>& keys) {
        pothos::QueryOptions o;
        o.read_only = true;
        o.request_id = rid;
        pothos::Result r = db.query(sql, pothos::params(keys), o);
        const int key_col = r.column_index(key_column);
        std::map<std::int64_t, std::vector<pothos::Record>> by_key;
        for (const pothos::Row& row : r) {
            pothos::Record rec;
            for (int c = 0; c < row.size(); ++c)
                rec.emplace(r.column_name(c), row.get<std::optional<std::string>>(c));
            by_key[row.get<std::int64_t>(key_col)].push_back(std::move(rec));
        }
        std::vector<ManyLoader::Outcome> out;
        out.reserve(keys.size());
        for (auto k : keys) {
            auto it = by_key.find(k);
            out.emplace_back(it == by_key.end() ? std::vector<pothos::Record>() : it->second);
        }
        return out;
    };
    return std::make_unique<ManyLoader>(std::move(fn), std::move(lo));
}

struct DataLoaders {
    std::unique_ptr<OneLoader> user;                  // users by id
    std::unique_ptr<OneLoader> todo;                  // todos by id
    std::unique_ptr<OneLoader> todo_list;             // todo lists by id
    std::unique_ptr<ManyLoader> todos_by_user;        // a user's assigned todos, newest first
    std::unique_ptr<ManyLoader> users_by_todo_list;   // a list's members
};

DataLoaders create_data_loaders(pothos::Client& db, const std::string& request_id) {
    pothos::DataLoaderOptions lo;
    lo.request_id = request_id;
    lo.max_batch_size = 100;
    DataLoaders d;
    d.user = pothos::make_any_loader<std::int64_t>(
        db, "SELECT id, name, email FROM users WHERE id = ANY($1::bigint[])", "id", lo);
    d.todo = pothos::make_any_loader<std::int64_t>(
        db, "SELECT id, list_id, title, status, assignee_id FROM todos WHERE id = ANY($1::bigint[])", "id",
        lo);
    d.todo_list = pothos::make_any_loader<std::int64_t>(
        db, "SELECT id, owner_id, title FROM todo_lists WHERE id = ANY($1::bigint[])", "id", lo);
    d.todos_by_user = make_many_loader(
        db,
        "SELECT id, list_id, title, status, assignee_id FROM todos WHERE assignee_id = ANY($1::bigint[]) "
        "ORDER BY assignee_id, created_at DESC, id",
        "assignee_id", lo);
    d.users_by_todo_list = make_many_loader(
        db,
        "SELECT m.list_id, u.id, u.name FROM list_members m JOIN users u ON u.id = m.user_id "
        "WHERE m.list_id = ANY($1::bigint[]) ORDER BY m.list_id, u.id",
        "list_id", lo);
    return d;
}

// One request that walks all five loaders, level by level, as the resolvers of
//   query { users(ids) { assignedTodos { todo { list { members { name } } } } } }
// would: the viewers (user), their assigned todos (todos_by_user), each todo
// again by id (todo), its list (todo_list), the list's members
// (users_by_todo_list). Prints one line per loader: distinct keys loaded and
// batches sent; the digest folds in what was loaded.
void loader_tour(pothos::Client& db, const std::vector<std::int64_t>& viewers, const std::string& rid) {
    DataLoaders d = create_data_loaders(db, rid);
    std::map<std::string, std::set<std::int64_t>> keys;
    std::uint64_t rows = 0;
    auto id_of = [](const pothos::Record& r, const char* col) -> std::optional<std::int64_t> {
        auto it = r.find(col);
        if (it == r.end() || !it->second) return std::nullopt;
        return std::stoll(*it->second);
    };
    std::vector<std::shared_future<std::optional<pothos::Record>>> users;
    std::vector<std::shared_future<std::vector<pothos::Record>>> assigned;
    for (auto v : viewers) {
        keys["user"].insert(v);
        keys["todos_by_user"].insert(v);
        users.push_back(d.user->load(v));
        assigned.push_back(d.todos_by_user->load(v));
    }
    d.user->dispatch();
    d.todos_by_user->dispatch();
    std::vector<std::shared_future<std::optional<pothos::Record>>> todos;
    for (auto& f : users) rows += f.get() ? 1 : 0;
    for (auto& f : assigned)
        for (const auto& t : f.get()) {
            ++rows;
            if (auto id = id_of(t, "id")) {
                keys["todo"].insert(*id);
                todos.push_back(d.todo->load(*id));
            }
        }
    d.todo->dispatch();
    std::vector<std::shared_future<std::optional<pothos::Record>>> lists;
    std::vector<std::shared_future<std::vector<pothos::Record>>> members;
    for (auto& f : todos) {
        const auto& t = f.get();
        if (!t) continue;
        ++rows;
        if (auto list = id_of(*t, "list_id")) {
            keys["todo_list"].insert(*list);
            keys["users_by_todo_list"].insert(*list);
            lists.push_back(d.todo_list->load(*list));
            members.push_back(d.users_by_todo_list->load(*list));
        }
    }
    d.todo_list->dispatch();
    d.users_by_todo_list->dispatch();
    for (auto& f : lists) rows += f.get() ? 1 : 0;
    for (auto& f : members) rows += f.get().size();
    auto line = [&](const char* name, std::size_t batches) {
        std::printf("LOADER %s: %zu keys in %zu batches\n", name, keys[name].size(), batches);
    };
    line("user", d.user->batches());
    line("todo", d.todo->batches());
    line("todo_list", d.todo_list->batches());
    line("todos_by_user", d.todos_by_user->batches());
    line("users_by_todo_list", d.users_by_todo_list->batches());
    std::printf("LOADER tour: %" PRIu64 " rows loaded\n", rows);
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t rank = static_cast<std::size_t>(p * static_cast<double>(v.size()) + 0.999999);
    rank = std::clamp<std::size_t>(rank, 1, v.size());
    return v[rank - 1];
}

int run(const Options& opt) {
    pothos::Config cfg = pothos::Config::from_env();
    cfg.pool.max = static_cast<std::size_t>(opt.pool);
    cfg.log_slow_queries = false;
    cfg.pool.propagate_create_error = true;  // an unreachable server fails at once
    pothos::Client db(cfg);

    // The viewers: users who own at least --min-lists lists (enough sibling
    // resolvers per request for the loop to show), lowest ids first so that
    // every run serves the same requests.
    pothos::Result who = db.query(
        "SELECT owner_id FROM todo_lists GROUP BY owner_id HAVING count(*) >= $1 "
        "ORDER BY owner_id LIMIT $2",
        pothos::params(opt.min_lists, opt.requests));
    if (who.rows() == 0) throw std::runtime_error("no user owns enough lists; load examples/todo first");
    std::vector<std::int64_t> viewers;
    for (int i = 0; i < who.rows(); ++i) viewers.push_back(who.as_int(i, 0));
    while (static_cast<int>(viewers.size()) < opt.requests)
        viewers.push_back(viewers[viewers.size() % static_cast<std::size_t>(who.rows())]);

    Api api(db);
    const std::string run_tag = opt.phase + "-" + std::to_string(::getpid());
    std::vector<double> latency_ms(viewers.size());
    std::vector<Response> responses(viewers.size());
    std::atomic<std::size_t> next{0};
    std::mutex err_mu;
    std::exception_ptr first_error;

    const auto t0 = Clock::now();
    std::vector<std::thread> workers;
    for (int w = 0; w < opt.concurrency; ++w) {
        workers.emplace_back([&] {
            for (;;) {
                const std::size_t i = next.fetch_add(1);
                if (i >= viewers.size()) return;
                const std::string rid = run_tag + "-" + std::to_string(i);
                const auto s = Clock::now();
                try {
                    responses[i] = opt.phase == "naive" ? api.naive(viewers[i], rid) : api.batched(viewers[i], rid);
                } catch (...) {
                    std::lock_guard<std::mutex> lk(err_mu);
                    if (!first_error) first_error = std::current_exception();
                    next.store(viewers.size());
                    return;
                }
                latency_ms[i] = std::chrono::duration<double, std::milli>(Clock::now() - s).count();
            }
        });
    }
    for (auto& t : workers) t.join();
    const double wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (first_error) std::rethrow_exception(first_error);

    Response total;
    for (const auto& r : responses) {
        total.lists += r.lists;
        total.todos += r.todos;
        total.assignees += r.assignees;
        total.digest += r.digest;
    }
    const std::uint64_t stmts = api.statements();
    const double p50 = percentile(latency_ms, 0.50), p95 = percentile(latency_ms, 0.95);
    const double n = static_cast<double>(viewers.size());

    std::printf("todo-demo %s: %zu requests (%d at a time, pool of %d connections)\n", opt.label.c_str(),
                viewers.size(), opt.concurrency, opt.pool);
    std::printf("  resolved           %" PRIu64 " lists, %" PRIu64 " todos, %" PRIu64
                " assignees (response digest %016" PRIx64 ")\n",
                total.lists, total.todos, total.assignees, total.digest);
    std::printf("  statements sent    %" PRIu64 " round trips (%.1f per request)\n", stmts,
                static_cast<double>(stmts) / n);
    std::printf("  wall time          %.3f s (%.1f requests/s)\n", wall_s, n / wall_s);
    std::printf("  request latency    p50 %.2f ms, p95 %.2f ms\n", p50, p95);
    std::printf("RESULT label=%s phase=%s requests=%zu statements=%" PRIu64
                " wall_s=%.3f p50_ms=%.2f p95_ms=%.2f digest=%016" PRIx64 "\n",
                opt.label.c_str(), opt.phase.c_str(), viewers.size(), stmts, wall_s, p50, p95, total.digest);
    // The specification's loader factory, all five loaders in one request
    // (after the measured run: its statements are not counted above).
    if (opt.phase == "dataloader") {
        std::vector<std::int64_t> some(viewers.begin(),
                                       viewers.begin() + std::min<std::size_t>(viewers.size(), 20));
        loader_tour(db, some, run_tag + "-loaders");
    }
    std::fflush(stdout);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse(argc, argv));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "todo-demo: %s\n", e.what());
    }
    return 1;
}
