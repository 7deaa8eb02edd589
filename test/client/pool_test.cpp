// Pool behaviour against a real server: exhaustion, FIFO, bounded barging,
// reuse, eviction,
// rollback on return, lifetimes, leaks, create timeouts and create errors.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <pothos/errors.hpp>
#include <pothos/pool.hpp>

#include "test_client.hpp"

using namespace std::chrono_literals;
using pothos::Millis;

namespace {

pothos::PoolOptions options(std::size_t max) { return pothos::test::pool_options(max); }

using Captured = pothos::test::LogCapture;

// Starts n threads that each acquire a lease and append their number to
// order; returns once all n wait in the pool's queue, in the order 0..n-1.
std::vector<std::thread> queue_waiters(pothos::Pool& pool, int n, std::vector<int>& order, std::mutex& mu) {
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
        threads.emplace_back([&pool, &order, &mu, i] {
            auto l = pool.acquire();
            std::lock_guard<std::mutex> lk(mu);
            order.push_back(i);
        });
        // Make sure waiter i is queued before waiter i+1.
        while (pool.stats().pending < static_cast<std::size_t>(i + 1)) std::this_thread::sleep_for(1ms);
    }
    return threads;
}

// acquire() must fail with a ConnectionError mentioning fragment, in less than limit.
void expect_create_error(pothos::Pool& pool, const std::string& fragment,
                         std::chrono::milliseconds limit) {
    const auto t0 = std::chrono::steady_clock::now();
    try {
        pool.acquire();
        ADD_FAILURE() << "expected ConnectionError";
    } catch (const pothos::ConnectionError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, limit);
}

}  // namespace

TEST(Pool, ExhaustionTimesOutWithStats) {
    auto o = options(2);
    pothos::Pool pool(o);
    auto a = pool.acquire();
    auto b = pool.acquire();
    const auto t0 = std::chrono::steady_clock::now();
    try {
        pool.acquire(Millis(200));
        FAIL() << "expected PoolTimeoutError";
    } catch (const pothos::PoolTimeoutError& e) {
        const auto waited = std::chrono::steady_clock::now() - t0;
        EXPECT_GE(waited, 190ms);
        EXPECT_LT(waited, 2s);
        EXPECT_NE(e.limit().find("acquire_timeout"), std::string::npos);
        EXPECT_EQ(e.stats().borrowed, 2u);
        EXPECT_EQ(e.stats().size, 2u);
        EXPECT_EQ(e.stats().max, 2u);
        EXPECT_EQ(e.stats().pending, 1u);  // the timed-out caller itself, at that moment
        EXPECT_NE(std::string(e.what()).find("borrowed=2"), std::string::npos);
    }
    b.release();
    auto c = pool.acquire(Millis(200));  // freed connection is handed out
    EXPECT_TRUE(c);
    auto st = pool.stats();
    EXPECT_EQ(st.total_acquires, 3u);
    EXPECT_EQ(st.total_releases, 1u);
    EXPECT_EQ(st.total_creates, 2u);
}

TEST(Pool, WaitersAreServedFirstComeFirstServed) {
    pothos::Pool pool(options(1));
    auto held = pool.acquire();
    std::vector<int> order;
    std::mutex mu;
    std::vector<std::thread> threads = queue_waiters(pool, 4, order, mu);
    held.release();
    for (auto& t : threads) t.join();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
}

namespace {

struct BargeRun {
    long barged = 0;            // re-acquires that won while the waiter still waited
    bool waiter_served = false;
    std::chrono::steady_clock::duration waited{};
};

// Both threads on the CPU this one runs on, restored when it goes.
struct OneCpu {
    cpu_set_t saved;
    cpu_set_t one;
    OneCpu() {
        pthread_getaffinity_np(pthread_self(), sizeof saved, &saved);
        CPU_ZERO(&one);
        CPU_SET(sched_getcpu(), &one);
        pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    }
    ~OneCpu() { pthread_setaffinity_np(pthread_self(), sizeof saved, &saved); }
};

// One connection: this thread holds it, another thread queues for it, then
// this thread gives it back, asks again and holds it for 1 ms, in a loop
// until the waiter has been served or has given up (or 10 s pass). The waiter, woken by a
// release, finds the connection taken again and held: only a hand-off
// (starvation mode) gets it to the waiter.
BargeRun release_and_reacquire_against_a_waiter(Millis handoff_after) {
    auto o = options(1);
    o.handoff_after = handoff_after;
    pothos::Pool pool(o);
    auto lease = pool.acquire();
    std::atomic<bool> served{false}, finished{false};
    BargeRun run;
    // The two threads share one CPU: on a second one the woken waiter would
    // run at once and could take the connection between this thread's
    // release and its next acquire, which is a race, not barging.
    const OneCpu cpu;
    std::thread waiter([&] {
        // Lowest priority: on the shared CPU the woken waiter must not
        // preempt the releasing thread between its release and its next
        // acquire (barging is about what a thread that is running may do).
        pthread_setaffinity_np(pthread_self(), sizeof cpu.one, &cpu.one);
        sched_param sp{};
        pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
        const auto t0 = std::chrono::steady_clock::now();
        try {
            auto l = pool.acquire(Millis(5000));
            run.waited = std::chrono::steady_clock::now() - t0;
            served.store(true);  // before the lease goes back
        } catch (const pothos::PoolTimeoutError&) {
        }
        finished.store(true);
    });
    while (pool.stats().pending < 1) std::this_thread::sleep_for(1ms);
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!served.load() && !finished.load() && std::chrono::steady_clock::now() < give_up) {
        lease.release();
        lease = pool.acquire(Millis(5000));
        if (!served.load()) ++run.barged;
        std::this_thread::sleep_for(1ms);
    }
    lease.release();
    waiter.join();
    run.waiter_served = served.load();
    return run;
}

}  // namespace

TEST(Pool, ReleasingThreadMayTakeTheConnectionBackButWaiterIsServedAfterHandoffAfter) {
    const auto run = release_and_reacquire_against_a_waiter(Millis(200));
    EXPECT_GE(run.barged, 1) << "the releasing thread never got its connection back";
    ASSERT_TRUE(run.waiter_served) << "the waiter starved (" << run.barged << " barges)";
    EXPECT_LT(run.waited, 3s);  // about handoff_after + 1 ms, far below its 5 s deadline
}

TEST(Pool, HandoffAfterZeroHandsEveryReleaseToTheOldestWaiter) {
    EXPECT_EQ(pothos::PoolOptions{}.handoff_after, Millis(1));
    const auto run = release_and_reacquire_against_a_waiter(Millis(0));
    EXPECT_EQ(run.barged, 0);
    EXPECT_TRUE(run.waiter_served);
}

// Barging lets running threads in ahead of the queue, never a later waiter
// ahead of an earlier one.
TEST(Pool, WaitersStayInArrivalOrderWhileOthersBarge) {
    auto o = options(1);
    o.handoff_after = Millis(60000);  // never starving: only barging and wake-ups
    pothos::Pool pool(o);
    auto held = pool.acquire();
    std::vector<int> order;
    std::mutex mu;
    std::vector<std::thread> threads = queue_waiters(pool, 4, order, mu);
    const auto until = std::chrono::steady_clock::now() + 100ms;
    while (std::chrono::steady_clock::now() < until) {
        held.release();
        held = pool.acquire();
    }
    held.release();
    for (auto& t : threads) t.join();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(pool.stats().pending, 0u);
}

// More threads than connections, no work between acquire and release: every
// acquisition succeeds well within its deadline (no lost wake-up, nobody
// starves), in both modes.
TEST(Pool, ContendedAcquireReleaseNeverLosesAWakeup) {
    for (const Millis handoff : {Millis(1), Millis(0)}) {
        auto o = options(2);
        o.min = 2;
        o.handoff_after = handoff;
        pothos::Pool pool(o);
        ASSERT_TRUE(pool.wait_for_min(Millis(5000)));
        constexpr int kThreads = 6, kRounds = 1500;
        std::atomic<int> timeouts{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < kRounds; ++i) {
                    try {
                        auto l = pool.acquire(Millis(5000));
                        if (i % 64 == 0) std::this_thread::yield();
                    } catch (const pothos::PoolTimeoutError&) {
                        ++timeouts;
                    }
                }
            });
        for (auto& t : threads) t.join();
        EXPECT_EQ(timeouts.load(), 0) << "handoff_after " << handoff.count();
        const auto st = pool.stats();
        EXPECT_EQ(st.pending, 0u);
        EXPECT_EQ(st.borrowed, 0u);
        EXPECT_EQ(st.available, 2u);
        EXPECT_EQ(st.total_acquires, static_cast<std::uint64_t>(kThreads * kRounds));
        EXPECT_EQ(st.total_releases, static_cast<std::uint64_t>(kThreads * kRounds));
    }
}

TEST(Pool, IdleConnectionsReusedMostRecentFirst) {
    pothos::Pool pool(options(3));
    auto a = pool.acquire();
    auto b = pool.acquire();
    auto c = pool.acquire();
    const int pid_b = b->backend_pid();
    const int pid_c = c->backend_pid();
    a.release();
    std::this_thread::sleep_for(60ms);  // the pool's clock ticks every 10 ms
    c.release();
    std::this_thread::sleep_for(60ms);
    b.release();  // most recent
    std::thread([&] {  // another thread: no thread-local preference applies
        auto x = pool.acquire();
        EXPECT_EQ(x->backend_pid(), pid_b);
        auto y = pool.acquire();
        EXPECT_EQ(y->backend_pid(), pid_c);
    }).join();
    EXPECT_EQ(pool.stats().total_creates, 3u);
}

TEST(Pool, ConnectionReturnedInTransactionIsRolledBack) {
    pothos::Pool pool(options(1));
    const std::string t = "t_rb_" + std::to_string(::getpid());
    {
        auto l = pool.acquire();
        l->exec("CREATE TABLE " + t + " (x int)");
        l->exec("BEGIN");
        l->exec("INSERT INTO " + t + " VALUES (1)");
    }
    auto l = pool.acquire();
    EXPECT_TRUE(l->idle());
    EXPECT_EQ(l->exec("SELECT count(*) FROM " + t).as_int(0, 0), 0);
    EXPECT_EQ(pool.stats().total_destroys, 0u);
    l->exec("DROP TABLE " + t);
}

TEST(Pool, TerminatedBackendsAreEvicted) {
    auto o = options(3);
    o.validation_threshold = Millis(60000);
    pothos::Pool pool(o);
    std::vector<int> pids;
    {
        auto a = pool.acquire();
        auto b = pool.acquire();
        pids = {a->backend_pid(), b->backend_pid()};
    }
    {
        auto admin = pothos::Connection::open(pothos::test::database_url(), 5s);
        for (int pid : pids)
            admin->exec("SELECT pg_terminate_backend($1::int, 5000)", pothos::params(pid));
    }
    int failures = 0;
    for (int i = 0; i < 4; ++i) {
        auto l = pool.acquire();
        try {
            EXPECT_EQ(l->exec("SELECT 1").as_int(0, 0), 1);
        } catch (const pothos::ConnectionError&) {
            ++failures;
        }
    }
    EXPECT_GE(failures, 1);
    EXPECT_LE(failures, 2);
    auto st = pool.stats();
    EXPECT_EQ(st.invalid, static_cast<std::size_t>(failures));
    EXPECT_EQ(st.total_destroys, static_cast<std::uint64_t>(failures));
    EXPECT_EQ(st.borrowed, 0u);
}

TEST(Pool, ValidationOnAcquireReplacesDeadIdleConnection) {
    auto o = options(1);
    o.validation_threshold = Millis(0);  // validate every time
    pothos::Pool pool(o);
    int pid;
    {
        auto l = pool.acquire();
        pid = l->backend_pid();
    }
    auto admin = pothos::Connection::open(pothos::test::database_url(), 5s);
    admin->exec("SELECT pg_terminate_backend($1::int, 5000)", pothos::params(pid));
    auto l = pool.acquire();
    EXPECT_NE(l->backend_pid(), pid);
    EXPECT_EQ(l->exec("SELECT 1").as_int(0, 0), 1);
    EXPECT_EQ(pool.stats().invalid, 1u);
}

TEST(Pool, MinIsKeptAndIdleAboveMinReaped) {
    auto o = options(4);
    o.min = 2;
    o.idle_timeout = Millis(100);
    o.reap_interval = Millis(50);
    pothos::Pool pool(o);
    ASSERT_TRUE(pool.wait_for_min(Millis(5000)));
    {
        auto a = pool.acquire(), b = pool.acquire(), c = pool.acquire(), d = pool.acquire();
        EXPECT_EQ(pool.stats().size, 4u);
    }
    std::this_thread::sleep_for(600ms);
    auto st = pool.stats();
    EXPECT_EQ(st.size, 2u);
    EXPECT_EQ(st.total_destroys, 2u);
}

TEST(Pool, MaxLifetimeRetiresConnections) {
    auto o = options(1);
    o.max_lifetime = Millis(150);
    o.reap_interval = Millis(50);
    pothos::Pool pool(o);
    int first;
    {
        auto l = pool.acquire();
        first = l->backend_pid();
    }
    std::this_thread::sleep_for(400ms);
    auto l = pool.acquire();
    EXPECT_NE(l->backend_pid(), first);
    EXPECT_GE(pool.stats().total_destroys, 1u);
}

TEST(Pool, LeakDetectionWarnsWithLeaseSite) {
    Captured cap;
    pothos::Pool pool(pothos::test::with_leak_detection(options(1), cap));
    auto l = pool.acquire();
    std::this_thread::sleep_for(400ms);
    EXPECT_TRUE(cap.contains("possible connection leak"));
    EXPECT_TRUE(cap.contains("pool_test.cpp"));
}

// A listener that accepts TCP connections and never answers: the libpq
// handshake hangs, so only our create timeout can end it.
TEST(Pool, CreateTimeoutAppliesToAsyncConnect) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const int port = ntohs(addr.sin_port);

    pothos::PoolOptions o;
    o.conninfo = "host=127.0.0.1 port=" + std::to_string(port) + " user=x dbname=x sslmode=disable";
    o.max = 1;
    o.create_timeout = Millis(150);
    o.acquire_timeout = Millis(3000);
    o.propagate_create_error = true;
    pothos::Pool pool(o);
    expect_create_error(pool, "create_timeout", 2s);
    ::close(fd);
}

class BadPassword : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        cluster_ = pothos::test::TempCluster::start({"password_encryption = 'scram-sha-256'"}).release();
        auto admin = pothos::Connection::open(cluster_->url(), std::chrono::seconds(10));
        admin->exec("CREATE ROLE app LOGIN PASSWORD 'right'");
        cluster_->prepend_hba("host all app 127.0.0.1/32 scram-sha-256");
    }
    static void TearDownTestSuite() {
        delete cluster_;
        cluster_ = nullptr;
    }
    static pothos::test::TempCluster* cluster_;
};
pothos::test::TempCluster* BadPassword::cluster_ = nullptr;

TEST_F(BadPassword, PropagateCreateErrorGivesTheErrorAtOnce) {
    pothos::PoolOptions o;
    o.conninfo = cluster_->url("app", "wrong");
    o.max = 2;
    o.acquire_timeout = Millis(5000);
    o.propagate_create_error = true;
    pothos::Pool pool(o);
    expect_create_error(pool, "password authentication failed", 3s);
}

TEST_F(BadPassword, WithoutPropagationTimeoutCarriesLastCreateError) {
    pothos::PoolOptions o;
    o.conninfo = cluster_->url("app", "wrong");
    o.max = 2;
    // Long enough for a refused attempt even under ThreadSanitizer on a busy machine.
    o.acquire_timeout = Millis(2000);
    o.create_retry_interval = Millis(50);
    pothos::Pool pool(o);
    const auto t0 = std::chrono::steady_clock::now();
    try {
        pool.acquire();
        FAIL() << "expected PoolTimeoutError";
    } catch (const pothos::PoolTimeoutError& e) {
        EXPECT_GE(std::chrono::steady_clock::now() - t0, 1950ms);
        EXPECT_NE(e.last_create_error().find("password authentication failed"), std::string::npos)
            << e.what();
        EXPECT_EQ(e.stats().size, 0u);
    }
    // The right password works on the same cluster.
    o.conninfo = cluster_->url("app", "right");
    pothos::Pool good(o);
    EXPECT_EQ(good.acquire()->exec("SELECT current_user").value(0, 0), "app");
}

// A pool of two idle connections (health checks every 50 ms when enabled)
// whose backends have then been terminated.
static std::unique_ptr<pothos::Pool> two_dead_idle_connections(bool health_checks) {
    auto o = options(2);
    o.min = 2;
    o.enable_health_check = health_checks;
    o.health_check_interval = Millis(50);
    o.reap_interval = Millis(50);
    o.validation_threshold = Millis(60000);
    auto pool = std::make_unique<pothos::Pool>(o);
    EXPECT_TRUE(pool->wait_for_min(Millis(5000)));
    std::vector<int> pids;
    {
        auto a = pool->acquire(), b = pool->acquire();
        pids = {a->backend_pid(), b->backend_pid()};
    }
    auto admin = pothos::Connection::open(pothos::test::database_url(), 5s);
    for (int pid : pids) admin->exec("SELECT pg_terminate_backend($1::int, 5000)", pothos::params(pid));
    return pool;
}

TEST(Pool, HealthCheckEvictsDeadIdleConnections) {
    auto p = two_dead_idle_connections(true);
    auto& pool = *p;
    // Without any acquire, the background health check finds both and replaces them (min 2).
    pothos::PoolStats st;
    for (int i = 0; i < 100; ++i) {
        std::this_thread::sleep_for(20ms);
        st = pool.stats();
        if (st.invalid == 2 && st.size == 2) break;
    }
    EXPECT_EQ(st.invalid, 2u);
    EXPECT_EQ(st.size, 2u);
    auto a = pool.acquire(), b = pool.acquire();
    EXPECT_EQ(a->exec("SELECT 1").as_int(0, 0), 1);
    EXPECT_EQ(b->exec("SELECT 1").as_int(0, 0), 1);
}

TEST(Pool, HealthCheckSwitchedOffLeavesIdleConnectionsAlone) {
    auto pool = two_dead_idle_connections(false);
    std::this_thread::sleep_for(1s);  // twenty intervals: no ping has found them
    EXPECT_EQ(pool->stats().invalid, 0u);
    EXPECT_EQ(pool->stats().available, 2u);
}

TEST(Pool, DebugLogsPoolEvents) {
    Captured cap("db:*");
    auto o = options(1);
    o.logger = cap.logger;
    pothos::Pool pool(o);
    auto held = pool.acquire();
    std::vector<std::thread> ts;
    for (int i = 0; i < 2; ++i)
        ts.emplace_back([&] {
            try {
                pool.acquire(Millis(300));
            } catch (const pothos::PoolTimeoutError&) {
            }
        });
    for (auto& t : ts) t.join();
    EXPECT_TRUE(cap.contains("created connection"));
    EXPECT_TRUE(cap.contains("waiting for a connection"));
    EXPECT_TRUE(cap.contains("pool under pressure"));
    EXPECT_TRUE(cap.contains("acquire timed out"));
    held->mark_broken();
    held.release();
    EXPECT_TRUE(cap.contains("destroyed connection"));
    EXPECT_TRUE(cap.contains("broken connection evicted"));
}
