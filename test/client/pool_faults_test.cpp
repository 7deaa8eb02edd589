// Pool deadlines and faults on real sockets: a hung connection attempt must
// not delay housekeeping, a connection frozen during validation must not
// stretch acquire() past its deadline, connection attempts run in parallel.
// Also: sessions come back clean, init statements, evict_all, leases that
// outlive their pool, and the pool's metrics and observer.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <pothos/pothos.hpp>

#include "tcp_proxy.hpp"
#include "test_client.hpp"

using namespace std::chrono_literals;
using namespace pothos;
using Captured = pothos::test::LogCapture;

namespace {

PoolOptions options(std::size_t max) { return test::pool_options(max); }

int server_port() {
    auto c = Connection::open(test::database_url(), 5s);
    return c->exec("SELECT setting FROM pg_settings WHERE name = 'port'").get<int>(0, 0);
}

std::string via(const test::TcpProxy& proxy) {
    return "host=127.0.0.1 port=" + std::to_string(proxy.port()) +
           " user=postgres dbname=postgres sslmode=disable";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A pool that validates every acquire, with validation_timeout.
PoolOptions validating(Millis validation_timeout) {
    auto o = options(1);
    o.validation_threshold = Millis(0);
    o.validation_timeout = validation_timeout;
    return o;
}

// The backend of a connection used once and returned: the pool's idle one.
int idle_backend(Pool& pool) {
    auto l = pool.acquire();
    return l->backend_pid();
}

// SIGSTOP of a backend by its own pid, undone on scope exit.
struct FrozenBackend {
    int pid;
    explicit FrozenBackend(int p) : pid(p) {
        if (::kill(pid, SIGSTOP) != 0) pid = 0;
    }
    ~FrozenBackend() {
        if (pid) ::kill(pid, SIGCONT);
    }
};

}  // namespace

// One background thread used to create connections and do all the
// housekeeping: a create hanging until create_timeout held back a 100 ms
// leak warning for the whole create_timeout.
TEST(PoolFaults, HungCreateDoesNotDelayALeakWarning) {
    test::TcpProxy proxy(server_port());
    Captured cap;
    auto o = test::with_leak_detection(options(2), cap);
    o.conninfo = via(proxy);
    o.create_timeout = Millis(4000);
    Pool pool(o);
    auto leaked = pool.acquire();  // a real connection, held past the threshold
    proxy.hang_new_connections(true);
    const auto t0 = std::chrono::steady_clock::now();
    std::thread second([&] {  // needs a new connection: its create hangs
        try {
            pool.acquire(Millis(3000));
        } catch (const Error&) {
        }
    });
    while (!cap.contains("possible connection leak") && seconds_since(t0) < 5)
        std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(cap.contains("possible connection leak"));
    EXPECT_LT(seconds_since(t0), 1.0) << "the leak warning waited for the hung create";
    proxy.hang_new_connections(false);
    second.join();
}

// tarn creates connections in parallel; here up to max_parallel_creates.
TEST(PoolFaults, ConnectionAttemptsRunInParallelUpToTheLimit) {
    test::TcpProxy proxy(server_port());
    proxy.hang_new_connections(true);
    auto o = options(4);
    o.conninfo = via(proxy);
    o.create_timeout = Millis(1500);
    o.max_parallel_creates = 2;
    Pool pool(o);
    std::vector<std::thread> waiters;
    for (int i = 0; i < 4; ++i)
        waiters.emplace_back([&] {
            try {
                pool.acquire(Millis(1000));
            } catch (const Error&) {
            }
        });
    std::this_thread::sleep_for(400ms);
    EXPECT_EQ(proxy.accepted(), 2);  // two attempts under way at once, not one, not four
    EXPECT_EQ(pool.stats().pending_creates, 4u);
    for (auto& t : waiters) t.join();
    proxy.hang_new_connections(false);
}

// acquire(500 ms) on a connection whose backend froze: the validation ping
// used the whole acquire deadline, then a cancel waited up to 5 s, then the
// slow path started over with a fresh deadline (about 6 s in all).
TEST(PoolFaults, FrozenConnectionDuringValidationKeepsTheAcquireDeadline) {
    Pool pool(validating(Millis(200)));
    const int pid = idle_backend(pool);
    FrozenBackend frozen(pid);
    if (!frozen.pid) GTEST_SKIP() << "cannot signal the backend (not root?)";
    const auto t0 = std::chrono::steady_clock::now();
    auto l = pool.acquire(Millis(500));  // the frozen one is dropped, a new one made
    EXPECT_LT(seconds_since(t0), 1.5);
    EXPECT_NE(l->backend_pid(), pid);
    EXPECT_EQ(pool.stats().invalid, 1u);
}

TEST(PoolFaults, FrozenConnectionWithoutTimeForAnotherTimesOutOnTime) {
    Pool pool(validating(Millis(5000)));  // longer than the acquire: the deadline wins
    FrozenBackend frozen(idle_backend(pool));
    if (!frozen.pid) GTEST_SKIP() << "cannot signal the backend (not root?)";
    const auto t0 = std::chrono::steady_clock::now();
    try {
        pool.acquire(Millis(500));
        FAIL() << "expected PoolTimeoutError";
    } catch (const PoolTimeoutError& e) {
        EXPECT_EQ(e.limit(), "acquire_timeout");
        EXPECT_EQ(e.timeout(), Millis(500));
    }
    EXPECT_GE(seconds_since(t0), 0.45);
    EXPECT_LT(seconds_since(t0), 1.5);
    EXPECT_EQ(pool.stats().total_timeouts, 1u);
}

// A statement on a frozen backend: the cancel reaches the postmaster but the
// backend cannot answer; after cancel_timeout the connection is given up.
TEST(PoolFaults, CancelIsBounded) {
    auto o = options(1);
    o.cancel_timeout = Millis(300);
    Pool pool(o);
    auto l = pool.acquire();
    const int pid = l->backend_pid();
    std::atomic<bool> stop{false};
    std::thread freezer([&] {
        std::this_thread::sleep_for(100ms);
        if (::kill(pid, SIGSTOP) != 0) return;
        while (!stop) std::this_thread::sleep_for(5ms);
        ::kill(pid, SIGCONT);
    });
    const auto t0 = std::chrono::steady_clock::now();
    try {
        l->exec("SELECT pg_sleep(30)", {}, Deadline::after(Millis(300)));
        ADD_FAILURE() << "expected QueryTimeoutError";
    } catch (const QueryTimeoutError& e) {
        EXPECT_EQ(e.limit(), "cancel_timeout");
        EXPECT_EQ(e.timeout(), Millis(300));
    }
    EXPECT_LT(seconds_since(t0), 1.5);  // 300 ms deadline + 300 ms cancel_timeout
    EXPECT_TRUE(l->broken());
    stop = true;
    freezer.join();
}

// A cancel sent to a server that accepts the connection and never answers
// (PQcancel waits for the server to close it: forever) is abandoned in time.
TEST(PoolFaults, CancelToAServerThatNeverAnswersIsAbandoned) {
    test::TcpProxy proxy(server_port());
    auto o = options(1);
    o.conninfo = via(proxy);
    o.cancel_timeout = Millis(300);
    Pool pool(o);
    auto l = pool.acquire();
    proxy.freeze(true);                 // the running statement's reply never comes
    proxy.hang_new_connections(true);   // and the cancel connection is never answered
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(l->exec("SELECT 1", {}, Deadline::after(Millis(200))), QueryTimeoutError);
    EXPECT_LT(seconds_since(t0), 1.5);
    EXPECT_TRUE(l->broken());
    l.release();
    proxy.hang_new_connections(false);
    proxy.freeze(false);
}

// One borrower's SET, temporary table, advisory lock, LISTEN, prepared
// statement and cursor used to reach the next borrower of the connection.
TEST(PoolFaults, SessionStateDoesNotReachTheNextBorrower) {
    Client c(test::test_config(1));
    c.prepare("ours", "SELECT $1::int * 2");
    int pid;
    {
        auto s = c.session();
        pid = s.query("SELECT pg_backend_pid()").get<int>(0, 0);
        EXPECT_EQ(s.execute("ours", params(21)).get<int>(0, 0), 42);
        s.query("SET work_mem = '77MB'");
        s.query("SET ROLE pg_monitor");
        s.query("CREATE TEMP TABLE leftover (x int)");
        s.query("SELECT pg_advisory_lock(4242)");
        s.query("LISTEN borrower_channel");
        s.query("PREPARE theirs AS SELECT 1");
        s.query("BEGIN; DECLARE held CURSOR WITH HOLD FOR SELECT 1; COMMIT");
        s.query("CREATE TEMP SEQUENCE leftover_seq");
        s.query("SELECT nextval('leftover_seq')");
    }
    auto s = c.session();
    ASSERT_EQ(s.query("SELECT pg_backend_pid()").get<int>(0, 0), pid);  // the same connection
    EXPECT_EQ(s.query("SHOW work_mem").get(0, 0), "4MB");
    EXPECT_EQ(s.query("SELECT current_user").get(0, 0), "postgres");
    EXPECT_EQ(s.query("SELECT count(*) FROM pg_class WHERE relname = 'leftover' AND "
                      "relpersistence = 't'").get<int>(0, 0), 0);
    EXPECT_EQ(s.query("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND "
                      "locktype = 'advisory'").get<int>(0, 0), 0);
    EXPECT_EQ(s.query("SELECT count(*) FROM pg_listening_channels()").get<int>(0, 0), 0);
    EXPECT_EQ(s.query("SELECT count(*) FROM pg_prepared_statements WHERE name = 'theirs'").get<int>(0, 0), 0);
    EXPECT_EQ(s.query("SELECT count(*) FROM pg_cursors").get<int>(0, 0), 0);
    EXPECT_THROW(s.query("SELECT lastval()"), DatabaseError);  // sequence state discarded
    // The library's own prepared statement survived the reset (not re-prepared).
    EXPECT_TRUE(s.lease()->is_prepared(
        s.query("SELECT name FROM pg_prepared_statements WHERE name LIKE 'pothos%ours'").get<std::string>(0, 0)));
    EXPECT_EQ(s.execute("ours", params(5)).get<int>(0, 0), 10);
    EXPECT_EQ(c.stats().total_creates, 1u);
}

TEST(PoolFaults, PlainStatementsCostNoReset) {
    auto o = options(1);
    Pool pool(o);
    {
        auto l = pool.acquire();
        l->exec("SELECT 1");
        l->exec("UPDATE pg_catalog.pg_class SET relname = relname WHERE false");
        EXPECT_EQ(l->session_changes(), 0u);
        EXPECT_TRUE(l->reusable());
        l->exec("SELECT set_config('work_mem', '8MB', false)");
        EXPECT_NE(l->session_changes(), 0u);
    }
    auto l = pool.acquire();
    EXPECT_EQ(l->exec("SHOW work_mem").get(0, 0), "4MB");
    EXPECT_EQ(l->session_changes(), 0u);
}

TEST(PoolFaults, ResetModes) {
    for (ResetMode mode : {ResetMode::off, ResetMode::always}) {
        auto o = options(1);
        o.reset = mode;
        Pool pool(o);
        {
            auto l = pool.acquire();
            l->exec("SET work_mem = '9MB'");
        }
        auto l = pool.acquire();
        EXPECT_EQ(l->exec("SHOW work_mem").get(0, 0), mode == ResetMode::off ? "9MB" : "4MB");
    }
}

TEST(PoolFaults, InitStatementRunsOnNewConnectionsAndAfterResets) {
    auto o = options(1);
    o.init_sql = "SET application_name = 'pothos-init'; SET search_path = pg_catalog, public";
    Pool pool(o);
    {
        auto l = pool.acquire();
        EXPECT_EQ(l->exec("SHOW application_name").get(0, 0), "pothos-init");
        l->exec("SET application_name = 'borrower'");
    }
    auto l = pool.acquire();
    EXPECT_EQ(l->exec("SHOW application_name").get(0, 0), "pothos-init");
    EXPECT_EQ(l->exec("SHOW search_path").get(0, 0), "pg_catalog, public");
    EXPECT_EQ(pool.stats().total_creates, 1u);
}

TEST(PoolFaults, EvictAllRetiresEveryConnection) {
    Pool pool(options(2));
    int idle_pid, leased_pid;
    {
        auto a = pool.acquire();
        idle_pid = a->backend_pid();
    }
    auto leased = pool.acquire();
    leased_pid = leased->backend_pid();
    ASSERT_EQ(leased_pid, idle_pid);  // most recently used
    auto other = pool.acquire();
    const int other_pid = other->backend_pid();
    other.release();
    pool.evict_all();
    EXPECT_EQ(pool.stats().size, 1u);  // the idle one is gone, the leased one stays for now
    EXPECT_EQ(leased->exec("SELECT 1").get<int>(0, 0), 1);
    leased.release();                 // closed on return
    auto fresh = pool.acquire();
    EXPECT_NE(fresh->backend_pid(), leased_pid);
    EXPECT_NE(fresh->backend_pid(), other_pid);
    EXPECT_GE(pool.stats().total_destroys, 2u);
}

TEST(PoolFaults, ReturnOfAReportedLeakIsLogged) {
    Captured cap;
    Pool pool(test::with_leak_detection(options(1), cap));
    {
        auto l = pool.acquire();
        std::this_thread::sleep_for(300ms);
        EXPECT_TRUE(cap.contains("possible connection leak"));
    }
    // Noticed by the housekeeper within a reap_interval.
    for (int i = 0; i < 100 && !cap.contains("reported as a possible leak was returned"); ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(cap.contains("reported as a possible leak was returned after"));
    auto again = pool.acquire();  // the connection itself was fine
    EXPECT_EQ(pool.stats().total_creates, 1u);
}

// A Lease used to hold a raw Pool*: releasing it after the pool was gone
// used freed memory (AddressSanitizer reports it).
TEST(PoolFaults, LeaseOutlivesItsPool) {
    Lease lease;
    int pid;
    {
        Pool pool(options(2));
        lease = pool.acquire();
        pid = lease->backend_pid();
        auto idle = pool.acquire();
    }
    EXPECT_EQ(lease->exec("SELECT pg_backend_pid()").get<int>(0, 0), pid);
    lease.release();  // closes the connection and frees what is left of the pool
    auto admin = Connection::open(test::database_url(), 5s);
    for (int i = 0; i < 100; ++i) {
        if (admin->exec("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", params(pid))
                .get<int>(0, 0) == 0)
            break;
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(admin->exec("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", params(pid))
                  .get<int>(0, 0), 0);
}

// Releases racing the pool's destruction from other threads.
TEST(PoolFaults, ReleasesConcurrentWithThePoolsDestruction) {
    auto o = options(3);
    o.min = 3;
    for (int round = 0; round < 20; ++round) {
        auto pool = std::make_unique<Pool>(o);
        ASSERT_TRUE(pool->wait_for_min(Millis(5000)));
        std::vector<Lease> leases;
        for (int i = 0; i < 3; ++i) leases.push_back(pool->acquire());
        std::vector<std::thread> releasers;
        for (auto& l : leases)
            releasers.emplace_back([&l, round] {
                if (round % 2) std::this_thread::yield();
                l.release();
            });
        pool.reset();
        for (auto& t : releasers) t.join();
    }
}

namespace {
struct CountingObserver : PoolObserver {
    std::atomic<int> acquires{0}, releases{0}, timeouts{0}, creates{0}, destroys{0};
    std::atomic<std::int64_t> held_ns{0};
    std::mutex mu;
    std::string last_limit, pool;
    void on_acquire(const std::string& p, std::chrono::nanoseconds) noexcept override {
        ++acquires;
        std::lock_guard<std::mutex> lk(mu);
        pool = p;
    }
    void on_release(const std::string&, std::chrono::nanoseconds held) noexcept override {
        ++releases;
        held_ns += held.count();
    }
    void on_timeout(const std::string&, std::string_view limit) noexcept override {
        ++timeouts;
        std::lock_guard<std::mutex> lk(mu);
        last_limit = std::string(limit);
    }
    void on_create(const std::string&, std::chrono::nanoseconds, bool ok) noexcept override {
        if (ok) ++creates;
    }
    void on_destroy(const std::string&, std::string_view) noexcept override { ++destroys; }
};
}  // namespace

TEST(PoolFaults, ObserverFeedsAnApplicationsMetrics) {
    auto obs = std::make_shared<CountingObserver>();
    auto o = options(1);
    o.observer = obs;
    o.name = "reports";
    Pool pool(o);
    {
        auto l = pool.acquire();
        std::this_thread::sleep_for(50ms);
        EXPECT_THROW(pool.acquire(Millis(30)), PoolTimeoutError);
    }
    EXPECT_EQ(obs->acquires, 1);
    EXPECT_EQ(obs->releases, 1);
    EXPECT_GE(obs->held_ns.load(), 50'000'000);
    EXPECT_EQ(obs->timeouts, 1);
    EXPECT_EQ(obs->last_limit, "acquire_timeout");
    EXPECT_EQ(obs->pool, "reports");
    EXPECT_EQ(obs->creates, 1);
    EXPECT_EQ(pool.stats().total_timeouts, 1u);
}

TEST(PoolFaults, ClientMetricsPerPoolWithTimeoutsAndLeaseTimes) {
    auto obs = std::make_shared<CountingObserver>();
    Config cfg = test::test_config(1);
    cfg.pool.observer = obs;  // the application's registry sees the same events
    cfg.pool.acquire_timeout = Millis(300);
    Client c(cfg);
    c.query("SELECT 1");  // the connection exists before the pool is exhausted
    {
        auto s = c.session();
        EXPECT_THROW(c.query("SELECT 1"), PoolTimeoutError);
    }
    c.query("SELECT 1");
    const std::string m = c.metrics_text();
    EXPECT_NE(m.find("pothos_database_pool_timeouts_total{pool=\"primary\"} 1"), std::string::npos) << m;
    EXPECT_NE(m.find("pothos_database_pool_lease_duration_seconds_count{pool=\"primary\"} 3"),
              std::string::npos) << m;
    // The two queries held their lease briefly, the session for the whole timeout.
    EXPECT_NE(m.find("pothos_database_pool_lease_duration_seconds_bucket{pool=\"primary\",le=\"0.25\"} 2"),
              std::string::npos) << m;
    EXPECT_NE(m.find("pothos_database_pool_acquisition_duration_seconds_count{pool=\"primary\"} 3"),
              std::string::npos) << m;
    EXPECT_EQ(obs->timeouts, 1);
    EXPECT_EQ(obs->last_limit, "acquire_timeout");
    EXPECT_EQ(obs->releases, 3);
}
