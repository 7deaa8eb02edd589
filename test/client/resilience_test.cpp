// Fault injection on clusters of our own: a server restart under load with
// retries, and a read/write split over a primary and a streaming replica.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <pothos/client.hpp>

#include "test_client.hpp"

using namespace std::chrono_literals;
using namespace pothos;
using pothos::test::TempCluster;

TEST(Resilience, ServerRestartDuringLoadLosesNoReadAndLeaksNoLease) {
    auto cluster = TempCluster::start();
    Config cfg;
    cfg.conninfo = cluster->url();
    cfg.pool.max = 4;
    cfg.pool.acquire_timeout = Millis(2000);
    cfg.pool.create_timeout = Millis(2000);
    cfg.pool.create_retry_interval = Millis(50);
    Client c(cfg);
    QueryOptions o;
    o.retries = 60;
    o.retry_delay = Millis(20);
    o.backoff = 1.5;
    o.max_retry_delay = Millis(250);

    std::atomic<bool> stop{false};
    std::atomic<long> ok{0}, failed{0}, during{0};
    std::atomic<bool> restarting{false};
    std::mutex mu;
    std::string first_error;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            while (!stop) {
                try {
                    auto r = c.query("SELECT $1::int", params(t), o);
                    if (r.as_int(0, 0) == t) ++ok;
                    if (restarting) ++during;
                } catch (const std::exception& e) {
                    ++failed;
                    std::lock_guard<std::mutex> lk(mu);
                    if (first_error.empty()) first_error = e.what();
                }
            }
        });
    std::this_thread::sleep_for(300ms);
    const long before = ok;
    restarting = true;
    cluster->restart();
    std::this_thread::sleep_for(500ms);
    restarting = false;
    stop = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(failed, 0) << first_error;
    EXPECT_GT(before, 0);
    EXPECT_GT(ok, before);
    EXPECT_GT(during, 0);
    auto st = c.stats();
    EXPECT_EQ(st.borrowed, 0u);
    EXPECT_EQ(st.pending, 0u);
    EXPECT_EQ(st.total_acquires, st.total_releases);
    EXPECT_GE(st.total_destroys, 1u);  // the old connections were evicted
    EXPECT_GE(st.total_creates, 2u);
}

TEST(Resilience, ReadWriteSplitWithAStreamingReplica) {
    auto primary = TempCluster::start();
    auto replica = TempCluster::replica_of(*primary);
    Config cfg;
    cfg.conninfo = primary->url();
    cfg.replicas = {replica->url()};
    cfg.pool.max = 2;
    cfg.pool.acquire_timeout = Millis(3000);
    cfg.pool.create_timeout = Millis(3000);
    cfg.host_retry_interval = Millis(300);
    Client c(cfg);
    auto on_replica = [&] { return c.query("SELECT pg_is_in_recovery()").as_bool(0, 0); };

    EXPECT_TRUE(on_replica());  // reads go to the replica
    c.query("CREATE TABLE rw (x int)");  // writes to the primary
    c.query("INSERT INTO rw VALUES (1), (2)");
    EXPECT_FALSE(c.transaction([](Session& s) {  // transactions to the primary
        return s.query("SELECT pg_is_in_recovery()").as_bool(0, 0);
    }));
    QueryOptions primary_only;
    primary_only.read_only = false;
    EXPECT_FALSE(c.query("SELECT pg_is_in_recovery()", {}, primary_only).as_bool(0, 0));

    // Streaming replication brings the rows over.
    long seen = -1;
    for (int i = 0; i < 100 && seen != 2; ++i) {
        try {
            seen = c.query("SELECT count(*) FROM rw").as_int(0, 0);
        } catch (const DatabaseError&) {  // table not replayed yet
        }
        if (seen != 2) std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(seen, 2);

    // The replica goes away: reads fall back to the primary without errors.
    replica->stop();
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(on_replica());
    std::this_thread::sleep_for(400ms);  // past host_retry_interval: the replica is tried again
    EXPECT_FALSE(on_replica());
    EXPECT_EQ(c.query("SELECT count(*) FROM rw").as_int(0, 0), 2);

    // It comes back and is used again once its retry interval has passed.
    replica->start_again();
    bool back = false;
    for (int i = 0; i < 60 && !back; ++i) {
        std::this_thread::sleep_for(100ms);
        back = on_replica();
    }
    EXPECT_TRUE(back);
    auto all = c.all_stats();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].first, "replica1");
    EXPECT_EQ(all[1].second.borrowed, 0u);
    EXPECT_EQ(all[0].second.borrowed, 0u);
}
