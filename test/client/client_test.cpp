// Client behaviour against a real server: typed errors, timeouts, retries,
// cache, batches, streaming, prepared statements, transactions, tagging,
// metrics and query logs.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <pothos/pothos.hpp>

#include "test_client.hpp"

using namespace std::chrono_literals;
using namespace pothos;
using pothos::test::test_config;

namespace {
using pothos::test::unique_name;
}  // namespace

TEST(Client, QueryWithParamsAndNulls) {
    Client c(test_config());
    auto r = c.query("SELECT $1::int + 1 AS n, $2::text AS t, $3::text AS z", params(41, "héllo", std::nullopt));
    ASSERT_EQ(r.rows(), 1);
    EXPECT_EQ(r.as_int(0, r.column_index("n")), 42);
    EXPECT_EQ(r.get(0, 1), "héllo");
    EXPECT_TRUE(r.is_null(0, 2));
    EXPECT_EQ(c.stats().borrowed, 0u);
}

TEST(Client, TypedErrorsCarrySqlstateDetailAndHint) {
    Client c(test_config());
    const auto parent = unique_name("parent"), child = unique_name("child");
    c.query("CREATE TABLE " + parent + " (id int PRIMARY KEY)");
    c.query("CREATE TABLE " + child + " (p int REFERENCES " + parent + "(id))");
    c.query("INSERT INTO " + parent + " VALUES (1)");
    try {
        c.query("INSERT INTO " + parent + " VALUES (1)");
        FAIL();
    } catch (const UniqueConstraintError& e) {
        EXPECT_EQ(e.sqlstate(), "23505");
        EXPECT_NE(e.detail().find("already exists"), std::string::npos);
    }
    try {
        c.query("INSERT INTO " + child + " VALUES (7)");
        FAIL();
    } catch (const ForeignKeyConstraintError& e) {
        EXPECT_EQ(e.sqlstate(), "23503");
        EXPECT_FALSE(e.detail().empty());
    }
    try {
        c.query("DO $$ BEGIN RAISE EXCEPTION 'boom' USING DETAIL = 'd1', HINT = 'h1', ERRCODE = 'P0001'; END $$");
        FAIL();
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.sqlstate(), "P0001");
        EXPECT_EQ(e.message(), "boom");
        EXPECT_EQ(e.detail(), "d1");
        EXPECT_EQ(e.hint(), "h1");
    }
    c.query("DROP TABLE " + child + ", " + parent);
}

TEST(Client, ClientDeadlineCancelsAndRaisesQueryTimeout) {
    Client c(test_config(1));
    QueryOptions o;
    o.timeout = Millis(200);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(c.query("SELECT pg_sleep(10)", {}, o), QueryTimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
    // The connection was cancelled, not lost: it is reused.
    EXPECT_EQ(c.query("SELECT 1").as_int(0, 0), 1);
    EXPECT_EQ(c.stats().total_destroys, 0u);
    EXPECT_EQ(c.stats().total_creates, 1u);
}

TEST(Client, ServerStatementTimeoutIsNotAQueryTimeout) {
    Client c(test_config(1));
    QueryOptions o;
    o.statement_timeout = Millis(100);
    try {
        c.query("SELECT pg_sleep(5)", {}, o);
        FAIL();
    } catch (const QueryTimeoutError&) {
        FAIL() << "server-side timeout reported as client deadline";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.sqlstate(), "57014");
    }
    // The setting was local to that statement's transaction.
    EXPECT_EQ(c.query("SHOW statement_timeout").get(0, 0), "0");
    o.statement_timeout = Millis(5000);
    EXPECT_EQ(c.query("SELECT 7", {}, o).as_int(0, 0), 7);
}

TEST(Client, RetriesAForcedSerializationFailure) {
    Client c(test_config());
    const auto seq = unique_name("flaky_seq"), fn = unique_name("flaky");
    c.query("CREATE SEQUENCE " + seq);
    c.query("CREATE FUNCTION " + fn + "() RETURNS text LANGUAGE plpgsql AS $$ BEGIN "
            "IF nextval('" + seq + "') <= 2 THEN "
            "RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001'; END IF; "
            "RETURN 'ok'; END $$");
    QueryOptions o;
    o.retries = 1;
    o.retry_delay = Millis(5);
    EXPECT_THROW(c.query("SELECT " + fn + "()", {}, o), DatabaseError);  // attempts 1 and 2 fail
    c.query("SELECT setval('" + seq + "', 1, false)");
    o.retries = 3;
    EXPECT_EQ(c.query("SELECT " + fn + "()", {}, o).get(0, 0), "ok");  // third attempt succeeds
    // A custom rule can refuse.
    c.query("SELECT setval('" + seq + "', 1, false)");
    o.retry_if = [](const Error&, int) { return false; };
    EXPECT_THROW(c.query("SELECT " + fn + "()", {}, o), DatabaseError);
    c.query("DROP FUNCTION " + fn + "(); DROP SEQUENCE " + seq);
}

TEST(Client, TransactionsRetryRealSerializationFailures) {
    Client c(test_config());
    const auto t = unique_name("ser");
    c.query("CREATE TABLE " + t + " (k int PRIMARY KEY, v int)");
    c.query("INSERT INTO " + t + " VALUES (1, 0), (2, 0)");
    std::atomic<int> attempts{0};
    std::atomic<bool> other_done{false};
    TxOptions o;
    o.isolation = "serializable";
    o.retries = 3;
    c.transaction(
        [&](Session& s) {
            ++attempts;
            s.query("SELECT sum(v) FROM " + t);
            if (attempts == 1) {
                // A concurrent serializable transaction writes what we read and commits first.
                c.transaction([&](Session& s2) {
                    s2.query("SELECT sum(v) FROM " + t);
                    s2.query("UPDATE " + t + " SET v = v + 1 WHERE k = 2");
                }, [] { TxOptions x; x.isolation = "serializable"; return x; }());
                other_done = true;
            }
            s.query("UPDATE " + t + " SET v = v + 10 WHERE k = 1");
        },
        o);
    EXPECT_TRUE(other_done);
    EXPECT_EQ(attempts, 2);
    auto r = c.query("SELECT v FROM " + t + " ORDER BY k");
    EXPECT_EQ(r.as_int(0, 0), 10);
    EXPECT_EQ(r.as_int(1, 0), 1);
    c.query("DROP TABLE " + t);
}

TEST(Client, TransactionCommitsOrRollsBack) {
    Client c(test_config());
    const auto t = unique_name("tx");
    c.query("CREATE TABLE " + t + " (x int)");
    int n = c.transaction([&](Session& s) {
        s.query("INSERT INTO " + t + " VALUES (1)");
        return static_cast<int>(s.query("SELECT count(*) FROM " + t).as_int(0, 0));
    });
    EXPECT_EQ(n, 1);
    EXPECT_THROW(c.transaction([&](Session& s) {
        s.query("INSERT INTO " + t + " VALUES (2)");
        throw std::runtime_error("application failure");
    }), std::runtime_error);
    EXPECT_EQ(c.query("SELECT count(*) FROM " + t).as_int(0, 0), 1);
    EXPECT_EQ(c.stats().borrowed, 0u);
    c.query("DROP TABLE " + t);
}

TEST(Client, CachedResultsWithKeyAndTtl) {
    Client c(test_config());
    QueryOptions o;
    o.cache_key = "now";
    o.cache_ttl = Millis(1000);
    auto a = c.query("SELECT clock_timestamp()::text", {}, o);
    auto b = c.query("SELECT clock_timestamp()::text", {}, o);
    EXPECT_EQ(a.get(0, 0), b.get(0, 0));
    EXPECT_NE(c.query("SELECT clock_timestamp()::text").get(0, 0), a.get(0, 0));  // uncached
    std::this_thread::sleep_for(1100ms);
    auto d = c.query("SELECT clock_timestamp()::text", {}, o);
    EXPECT_NE(a.get(0, 0), d.get(0, 0));
}

// The cache used to key on cache_key alone: the same key with other
// parameters returned the first parameters' result.
TEST(Client, CacheKeysOnTheStatementAndItsParameters) {
    Client c(test_config());
    QueryOptions o;
    o.cache_key = "double";
    EXPECT_EQ(c.query("SELECT $1::int * 2", params(1), o).get<int>(0, 0), 2);
    EXPECT_EQ(c.query("SELECT $1::int * 2", params(2), o).get<int>(0, 0), 4);
    EXPECT_EQ(c.query("SELECT $1::int * 3", params(2), o).get<int>(0, 0), 6);
    EXPECT_EQ(c.query("SELECT $1::text", params(std::nullopt), o).value(0, 0), std::nullopt);
    EXPECT_EQ(c.query("SELECT $1::text", params(""), o).value(0, 0), "");
    // The same statement and parameters hit the cache.
    o.cache_ttl = Millis(60000);
    auto a = c.query("SELECT clock_timestamp()::text, $1::int", params(7), o);
    auto b = c.query("SELECT clock_timestamp()::text, $1::int", params(7), o);
    EXPECT_EQ(a.get(0, 0), b.get(0, 0));
}

// QueryOptions::timeout bounds the whole call: waiting for a connection,
// the statement and every retry. It used to apply to the statement only,
// each attempt waiting the full acquire_timeout (5 s here).
TEST(Client, TimeoutCoversAcquireAndRetries) {
    Client c(test_config(1));
    auto holder = c.session();
    QueryOptions o;
    o.timeout = Millis(300);
    o.retries = 5;
    o.retry_delay = Millis(10);
    o.read_only = true;  // pool timeouts of reads are retried
    const auto t0 = std::chrono::steady_clock::now();
    try {
        c.query("SELECT 1", {}, o);
        FAIL() << "expected PoolTimeoutError";
    } catch (const PoolTimeoutError& e) {
        EXPECT_EQ(e.limit(), "timeout");
        EXPECT_EQ(e.timeout(), Millis(300));
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
    holder.lease().release();
    EXPECT_EQ(c.query("SELECT 2", {}, o).get<int>(0, 0), 2);
}

TEST(Client, PipelinedBatchReportsEachFailureOnItsOwnStatement) {
    Client c(test_config(1));
    std::vector<Statement> st;
    for (int i = 0; i < 10; ++i) st.push_back({"SELECT $1::int * 2", params(i)});
    st[4] = {"SELECT 1/0", {}};
    auto out = c.batch(st);
    ASSERT_EQ(out.size(), 10u);
    for (int i = 0; i < 10; ++i) {
        if (i == 4) {
            ASSERT_FALSE(out[i].ok());
            try {
                out[i].value();
            } catch (const DatabaseError& e) {
                EXPECT_EQ(e.sqlstate(), "22012");
            }
        } else {
            ASSERT_TRUE(out[i].ok()) << i;
            EXPECT_EQ(out[i].value().as_int(0, 0), i * 2);
        }
    }
    // Atomic: statements after the failure are reported as not run.
    BatchOptions bo;
    bo.atomic = true;
    auto atomic = c.batch(st, bo);
    EXPECT_TRUE(atomic[3].ok());
    EXPECT_FALSE(atomic[4].ok());
    ASSERT_FALSE(atomic[5].ok());
    try {
        atomic[5].value();
    } catch (const BatchAbortedError& e) {
        EXPECT_EQ(e.failed_statement(), 4u);
    }
    // The connection is usable afterwards and was not replaced.
    EXPECT_EQ(c.query("SELECT 5").as_int(0, 0), 5);
    EXPECT_EQ(c.stats().total_creates, 1u);
}

TEST(Client, PipelinedBatchIsOneRoundTripAndKeepsOrder) {
    Client c(test_config(1));
    std::vector<Statement> st;
    for (int i = 0; i < 1000; ++i) st.push_back({"SELECT $1::int", params(i)});
    auto out = c.batch(st);
    ASSERT_EQ(out.size(), 1000u);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(out[i].value().as_int(0, 0), i);
}

namespace {
long rss_kb() {
    FILE* f = std::fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        std::fclose(f);
    }
    return resident * 4;
}
}  // namespace

TEST(Client, StreamsAMillionRowsInBoundedMemory) {
    long rows_wanted = 1000000;
    if (const char* n = std::getenv("POTHOS_STREAM_ROWS")) rows_wanted = std::atol(n);
    Client c(test_config(1));
    const long before = rss_kb();
    long seen = 0, peak = before, sum = 0;
    std::size_t largest = 0;
    c.stream("SELECT g, repeat('x', 200) FROM generate_series(1, $1::int) g", params(rows_wanted),
             1000, [&](const RowBatch& b) {
                 largest = std::max(largest, b.rows.size());
                 for (const auto& row : b.rows) sum += std::atol(row[0]->c_str());
                 seen += static_cast<long>(b.rows.size());
                 if (seen % 100000 == 0) peak = std::max(peak, rss_kb());
             });
    EXPECT_EQ(seen, rows_wanted);
    EXPECT_EQ(sum, rows_wanted * (rows_wanted + 1) / 2);
    EXPECT_EQ(largest, 1000u);
    // The whole result would be > 200 MB; streaming stays within a few tens.
    // (Sanitizer allocators keep freed memory in quarantine: not measured there.)
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    EXPECT_LT(peak - before, 64 * 1024) << "RSS grew by " << (peak - before) << " kB";
#else
    (void)peak;
#endif
}

TEST(Client, StreamStopsWhenTheCallbackThrows) {
    Client c(test_config(1));
    long seen = 0;
    EXPECT_THROW(c.stream("SELECT g FROM generate_series(1, 10000000) g", {}, 100,
                          [&](const RowBatch& b) {
                              seen += static_cast<long>(b.rows.size());
                              if (seen >= 500) throw std::runtime_error("enough");
                          }),
                 std::runtime_error);
    EXPECT_EQ(seen, 500);
    EXPECT_EQ(c.query("SELECT 3").as_int(0, 0), 3);
}

TEST(Client, PreparedStatementsCachedPerConnectionAndRePrepared) {
    Config cfg = test_config(1);
    cfg.max_prepared_statements = 2;
    Client c(cfg);
    c.prepare("add", "SELECT $1::int + $2::int");
    c.prepare("mul", "SELECT $1::int * $2::int");
    c.prepare("neg", "SELECT -$1::int");
    EXPECT_EQ(c.execute("add", params(2, 3)).as_int(0, 0), 5);
    EXPECT_EQ(c.execute("mul", params(2, 3)).as_int(0, 0), 6);
    EXPECT_EQ(c.execute("neg", params(2)).as_int(0, 0), -2);  // evicts "add" (LRU of 2)
    auto count = [&] { return c.query("SELECT count(*) FROM pg_prepared_statements").as_int(0, 0); };
    EXPECT_EQ(count(), 2);
    // The server forgets everything: the next execute re-prepares transparently.
    c.query("DEALLOCATE ALL");
    EXPECT_EQ(c.execute("mul", params(4, 5)).as_int(0, 0), 20);
    auto st = c.prepared_stats("mul");
    EXPECT_EQ(st.usage_count, 2u);
    EXPECT_GT(st.average_execution_time_ms, 0.0);
    EXPECT_GE(st.last_used, st.created_at);
    EXPECT_THROW(c.execute("nope"), UsageError);
}

TEST(Client, RequestTaggingAddsTraceparent) {
    const std::string id = "request-42";
    const std::string tagged = tag_sql("SELECT 1;", id);
    EXPECT_EQ(tagged.rfind("SELECT 1 /*traceparent='00-" + trace_id_for(id) + "-", 0), 0u) << tagged;
    EXPECT_EQ(tagged.back(), ';');
    EXPECT_EQ(trace_id_for("0af7651916cd43dd8448eb211c80319c"), "0af7651916cd43dd8448eb211c80319c");
    EXPECT_EQ(trace_id_for(id).size(), 32u);

    // The server sees the comment: it is in pg_stat_activity while running.
    Client c(test_config(2));
    auto s = c.session(id);
    std::thread t([&] { s.query("SELECT pg_sleep(0.5)"); });
    std::string seen;
    for (int i = 0; i < 40 && seen.empty(); ++i) {
        std::this_thread::sleep_for(20ms);
        auto r = c.query("SELECT query FROM pg_stat_activity WHERE query LIKE '%pg_sleep(0.5)%traceparent%' "
                         "AND pid <> pg_backend_pid()");
        if (r.rows() > 0) seen = std::string(r.get(0, 0));
    }
    t.join();
    EXPECT_NE(seen.find("traceparent='00-" + trace_id_for(id)), std::string::npos) << seen;
    // Transactions carry it too; a RequestScope applies to plain queries.
    {
        RequestScope scope("scoped-id");
        auto r = c.query("SELECT current_query()");
        EXPECT_NE(std::string(r.get(0, 0)).find(trace_id_for("scoped-id")), std::string::npos);
    }
    auto q = c.transaction([](Session& tx) { return std::string(tx.query("SELECT current_query()").get(0, 0)); },
                           [] { TxOptions x; x.request_id = "tx-id"; return x; }());
    EXPECT_NE(q.find(trace_id_for("tx-id")), std::string::npos);
}

TEST(Client, PrometheusMetrics) {
    Client c(test_config(2));
    c.query("SELECT 1");
    c.query("SELECT 2");
    EXPECT_THROW(c.query("SELECT nope"), DatabaseError);
    auto lease = c.session();
    const std::string m = c.metrics_text();
    const std::string sel = "operation=\"select\",model=\"unknown\"";
    EXPECT_NE(m.find("pothos_database_queries_total{" + sel + ",status=\"success\"} 2"), std::string::npos) << m;
    EXPECT_NE(m.find("pothos_database_queries_total{" + sel + ",status=\"error\"} 1"), std::string::npos) << m;
    EXPECT_NE(m.find("pothos_database_connections_active{pool=\"primary\"} 1"), std::string::npos) << m;
    EXPECT_NE(m.find("# TYPE pothos_database_query_duration_seconds histogram"), std::string::npos);
    EXPECT_NE(m.find("pothos_database_query_duration_seconds_count{" + sel + "} 3"), std::string::npos) << m;
    EXPECT_NE(m.find("pothos_database_pool_acquisition_duration_seconds_count{pool=\"primary\"} 4"), std::string::npos) << m;
    EXPECT_NE(m.find("pothos_database_pool_acquisition_duration_seconds_bucket{pool=\"primary\",le=\"+Inf\"} 4"), std::string::npos);
}

TEST(Client, SlowAndAllQueryLogs) {
    pothos::test::LogCapture cap;
    Config cfg = test_config(1);
    cfg.pool.logger = cap.logger;
    cfg.slow_query_threshold = Millis(50);
    cfg.log_queries = true;
    cfg.query_analysis = true;
    Client c(cfg);
    c.query("SELECT 1");
    c.query("SELECT pg_sleep(0.1)");
    EXPECT_TRUE(cap.contains("ok: SELECT 1"));
    EXPECT_TRUE(cap.contains("slow query ("));
    EXPECT_TRUE(cap.contains("threshold 50 ms): SELECT pg_sleep(0.1)"));
    EXPECT_FALSE(cap.contains("): SELECT 1"));
}

TEST(Client, ReadDetection) {
    Client c(test_config(1));
    // Indirectly: a read is retried on connection errors, a write is not.
    QueryOptions o;
    o.retries = 2;
    o.retry_delay = Millis(1);
    int pid = static_cast<int>(c.query("SELECT pg_backend_pid()").as_int(0, 0));
    Client admin(test_config(1));
    admin.query("SELECT pg_terminate_backend($1::int, 5000)", params(pid));
    EXPECT_EQ(c.query("  /* hi */ select 1", {}, o).as_int(0, 0), 1);
    pid = static_cast<int>(c.query("SELECT pg_backend_pid()").as_int(0, 0));
    admin.query("SELECT pg_terminate_backend($1::int, 5000)", params(pid));
    EXPECT_THROW(c.query("CREATE TEMP TABLE never_made (x int)", {}, o), ConnectionError);
    EXPECT_EQ(c.stats().invalid, 2u);
}

TEST(Client, SlowQueryAdviceFromTheExtension) {
    Client probe(test_config(1));
    try {
        probe.query("CREATE EXTENSION IF NOT EXISTS pothos_perf");
        probe.query("SELECT * FROM pothos_perf.analyze_query('SELECT 1')");
    } catch (const DatabaseError& e) {
        GTEST_SKIP() << "extension pothos_perf not available here: " << e.what();
    }
    pothos::test::LogCapture cap;
    Config cfg = test_config(1);
    cfg.pool.logger = cap.logger;
    cfg.slow_query_threshold = Millis(1);
    cfg.performance_insights = true;
    Client c(cfg);
    c.query("SELECT pg_sleep(0.01), * FROM pg_class");
    EXPECT_TRUE(cap.contains("slow query ("));
    EXPECT_FALSE(cap.contains("analyze_query failed"));
    // analyze_query has advice for a SELECT * without LIMIT; it is on the slow-query line.
    EXPECT_TRUE(cap.contains("improvements: ") || cap.contains("potential issues: "));
}

TEST(Client, LeakDetectionReportsTheSessionsCaller) {
    pothos::test::LogCapture cap;
    Config cfg = test_config(1);
    cfg.pool.logger = cap.logger;
    cfg.pool.leak_detection_threshold = Millis(100);
    cfg.pool.reap_interval = Millis(50);
    Client c(cfg);
    auto s = c.session();
    std::this_thread::sleep_for(400ms);
    EXPECT_TRUE(cap.contains("possible connection leak: lease taken at"));
    EXPECT_TRUE(cap.contains("client_test.cpp:"));
}

TEST(Client, StreamReportsAServerErrorAndTheConnectionSurvives) {
    Client c(test_config(1));
    long seen = 0;
    try {
        c.stream("SELECT 1 / (5000 - g) FROM generate_series(1, 10000) g", {}, 100,
                 [&](const RowBatch& b) { seen += static_cast<long>(b.rows.size()); });
        FAIL() << "expected division by zero";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.sqlstate(), "22012");
    }
    EXPECT_LT(seen, 5000);
    EXPECT_EQ(c.query("SELECT 9").as_int(0, 0), 9);
    EXPECT_EQ(c.stats().total_creates, 1u);
}

TEST(Client, QueryClassification) {
    auto is = [](std::string_view sql, std::string_view op, std::string_view model) {
        const auto l = classify_query(sql);
        EXPECT_EQ(l.operation, op) << sql;
        EXPECT_EQ(l.model, model) << sql;
    };
    is("SELECT 1", "select", "unknown");
    is("  select id FROM Users WHERE id = ANY($1)", "select", "users");
    is("SELECT * FROM public.\"Todos\" t JOIN users u ON u.id = t.user_id", "select", "todos");
    is("SELECT * FROM (SELECT id FROM todo_lists) s", "select", "todo_lists");
    is("/* tag */ -- line\nINSERT INTO app.todos (id) VALUES (1)", "insert", "todos");
    is("UPDATE ONLY todos SET done = true", "update", "todos");
    is("DELETE FROM todos WHERE id = 1", "delete", "todos");
    is("WITH x AS (SELECT 1) UPDATE users SET n = 1", "update", "users");
    is("BEGIN", "other", "unknown");
    is("CREATE TABLE t (id int)", "other", "unknown");
}

TEST(Client, MetricsByOperationAndModel) {
    Config cfg = test_config(1);
    cfg.slow_query_threshold = Millis(50);
    Client c(cfg);
    const std::string a = "mx_users_" + std::to_string(::getpid());
    const std::string b = "mx_todos_" + std::to_string(::getpid());
    c.query("CREATE TABLE " + a + " (id int)");
    c.query("CREATE TABLE " + b + " (id int)");
    c.query("INSERT INTO " + b + " VALUES (1), (2)");
    c.query("INSERT INTO public." + b + " VALUES (3)");
    c.query("SELECT id FROM " + a);
    c.query("SELECT pg_sleep(0.06)");  // the one slow statement
    const std::string m = c.metrics_text();
    auto has = [&](const std::string& line) { EXPECT_NE(m.find(line + "\n"), std::string::npos) << line << "\n" << m; };
    has("pothos_database_queries_total{operation=\"insert\",model=\"" + b + "\",status=\"success\"} 2");
    has("pothos_database_queries_total{operation=\"select\",model=\"" + a + "\",status=\"success\"} 1");
    has("pothos_database_queries_total{operation=\"select\",model=\"" + a + "\",status=\"error\"} 0");
    has("pothos_database_query_duration_seconds_count{operation=\"insert\",model=\"" + b + "\"} 2");
    has("pothos_database_query_duration_seconds_bucket{operation=\"select\",model=\"" + a +
        "\",le=\"+Inf\"} 1");
    has("pothos_database_queries_total{operation=\"other\",model=\"unknown\",status=\"success\"} 2");
    has("pothos_database_slow_queries_total{threshold=\"50\"} 1");
    has("pothos_database_connections_idle{pool=\"primary\"} 1");
    EXPECT_NE(m.find("pothos_database_pool_acquisition_duration_seconds_count{pool=\"primary\"}"),
              std::string::npos);
    if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
        const std::string file = "/tmp/pothos_metrics_" + std::to_string(::getpid()) + ".txt";
        FILE* f = std::fopen(file.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs(m.c_str(), f);
        std::fclose(f);
        EXPECT_EQ(std::system(("promtool check metrics < " + file).c_str()), 0) << m;
        std::remove(file.c_str());
    }
    c.query("DROP TABLE " + a);
    c.query("DROP TABLE " + b);
}

TEST(Client, MetricsModelCardinalityIsCapped) {
    Client c(test_config(1));
    // Statements that fail still carry their labels.
    for (std::size_t i = 0; i < Metrics::kMaxModels + 5; ++i)
        EXPECT_THROW(c.query("SELECT * FROM no_such_table_" + std::to_string(i)), DatabaseError);
    const std::string m = c.metrics_text();
    EXPECT_NE(m.find("pothos_database_queries_total{operation=\"select\",model=\"other\",status=\"error\"} 5"),
              std::string::npos) << m;
    EXPECT_EQ(m.find("no_such_table_" + std::to_string(Metrics::kMaxModels) + "\""), std::string::npos);
}
