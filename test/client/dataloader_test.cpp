// DataLoader: batching, key order, per-key errors, cache, splitting, window,
// and the ready ANY($1) loader against a real table.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include <pothos/any_loader.hpp>
#include <pothos/dataloader.hpp>

#include "test_client.hpp"

using namespace std::chrono_literals;
using namespace pothos;

namespace {
using IntLoader = DataLoader<int, std::string>;

struct Recorder {
    std::mutex mu;
    std::vector<std::vector<int>> batches;
    IntLoader::BatchFn fn() {
        return [this](const std::vector<int>& keys) {
            {
                std::lock_guard<std::mutex> lk(mu);
                batches.push_back(keys);
            }
            std::vector<IntLoader::Outcome> out;
            for (int k : keys) {
                if (k < 0) out.emplace_back(std::make_exception_ptr(std::invalid_argument("negative " + std::to_string(k))));
                else out.emplace_back("v" + std::to_string(k));
            }
            return out;
        };
    }
};

DataLoaderOptions opts(std::size_t max = 100, std::chrono::microseconds window = 10s) {
    DataLoaderOptions o;
    o.max_batch_size = max;
    o.window = window;
    return o;
}
}  // namespace

TEST(DataLoader, OneBatchResultsInKeyOrder) {
    Recorder rec;
    IntLoader loader(rec.fn(), opts());
    std::vector<std::shared_future<std::string>> f;
    for (int k : {5, 3, 9, 1}) f.push_back(loader.load(k));
    loader.dispatch();
    EXPECT_EQ(f[0].get(), "v5");
    EXPECT_EQ(f[1].get(), "v3");
    EXPECT_EQ(f[2].get(), "v9");
    EXPECT_EQ(f[3].get(), "v1");
    ASSERT_EQ(rec.batches.size(), 1u);
    EXPECT_EQ(rec.batches[0], (std::vector<int>{5, 3, 9, 1}));
}

TEST(DataLoader, ErrorsArePerKey) {
    Recorder rec;
    IntLoader loader(rec.fn(), opts());
    auto ok = loader.load(1);
    auto bad = loader.load(-2);
    loader.dispatch();
    EXPECT_EQ(ok.get(), "v1");
    EXPECT_THROW(bad.get(), std::invalid_argument);
    // A failed key is not cached: loading it again runs a new batch.
    auto again = loader.load(-2);
    loader.dispatch();
    EXPECT_THROW(again.get(), std::invalid_argument);
    EXPECT_EQ(rec.batches.size(), 2u);
}

TEST(DataLoader, WholeBatchFailureAndWrongSizeReachEveryKey) {
    IntLoader throws([](const std::vector<int>&) -> std::vector<IntLoader::Outcome> {
        throw std::runtime_error("db down");
    }, opts());
    auto a = throws.load(1), b = throws.load(2);
    throws.dispatch();
    EXPECT_THROW(a.get(), std::runtime_error);
    EXPECT_THROW(b.get(), std::runtime_error);
    IntLoader short_result([](const std::vector<int>&) { return std::vector<IntLoader::Outcome>{}; }, opts());
    auto c = short_result.load(1);
    short_result.dispatch();
    EXPECT_THROW(c.get(), std::logic_error);
}

TEST(DataLoader, CacheDeduplicatesAndCanBeClearedOrPrimed) {
    Recorder rec;
    IntLoader loader(rec.fn(), opts());
    auto a = loader.load(7), b = loader.load(7);
    loader.dispatch();
    EXPECT_EQ(a.get(), "v7");
    EXPECT_EQ(b.get(), "v7");
    ASSERT_EQ(rec.batches.size(), 1u);
    EXPECT_EQ(rec.batches[0], std::vector<int>{7});
    EXPECT_EQ(loader.load(7).get(), "v7");  // cached: no new batch
    EXPECT_EQ(rec.batches.size(), 1u);
    loader.clear(7);
    auto c = loader.load(7);
    loader.dispatch();
    EXPECT_EQ(c.get(), "v7");
    EXPECT_EQ(rec.batches.size(), 2u);
    loader.prime(8, "primed");
    EXPECT_EQ(loader.load(8).get(), "primed");
    EXPECT_EQ(rec.batches.size(), 2u);
}

TEST(DataLoader, CacheKeyFunction) {
    using SLoader = DataLoader<std::string, std::string>;
    std::atomic<int> calls{0};
    SLoader loader([&](const std::vector<std::string>& keys) {
        ++calls;
        std::vector<SLoader::Outcome> out;
        for (auto& k : keys) out.emplace_back(k);
        return out;
    }, opts(), [](const std::string& k) {
        std::string lower;
        for (char ch : k) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return lower;
    });
    auto a = loader.load("Key"), b = loader.load("KEY");
    loader.dispatch();
    EXPECT_EQ(a.get(), "Key");
    EXPECT_EQ(b.get(), "Key");
    EXPECT_EQ(calls, 1);
}

TEST(DataLoader, SplitsAtMaxBatchSize) {
    Recorder rec;
    IntLoader loader(rec.fn(), opts(100));
    std::vector<int> keys;
    for (int i = 0; i < 250; ++i) keys.push_back(i);
    auto f = loader.load_many(keys);
    loader.dispatch();
    for (int i = 0; i < 250; ++i) ASSERT_EQ(f[i].get(), "v" + std::to_string(i));
    // The two full batches run on the scheduler, the rest on dispatch():
    // in whatever order they finish.
    ASSERT_EQ(rec.batches.size(), 3u);
    std::vector<std::size_t> sizes;
    for (const auto& b : rec.batches) sizes.push_back(b.size());
    std::sort(sizes.begin(), sizes.end());
    EXPECT_EQ(sizes, (std::vector<std::size_t>{50, 100, 100}));
}

TEST(DataLoader, DispatchesAfterTheWindow) {
    Recorder rec;
    IntLoader loader(rec.fn(), opts(100, std::chrono::milliseconds(20)));
    const auto t0 = std::chrono::steady_clock::now();
    auto a = loader.load(1);
    auto b = loader.load(2);
    ASSERT_EQ(a.wait_for(5s), std::future_status::ready);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 15ms);
    EXPECT_EQ(b.get(), "v2");
    EXPECT_EQ(rec.batches.size(), 1u);
}

TEST(DataLoader, ConcurrentLoadsFromManyThreads) {
    Recorder rec;
    IntLoader loader(rec.fn(), opts(64, std::chrono::milliseconds(2)));
    std::vector<std::thread> ts;
    std::atomic<int> good{0};
    for (int t = 0; t < 4; ++t)
        ts.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                int k = (t * 1000) + i;
                if (loader.load(k).get() == "v" + std::to_string(k)) ++good;
            }
        });
    for (auto& t : ts) t.join();
    EXPECT_EQ(good, 800);
}

// Every loader used to start a timer thread of its own.
TEST(DataLoader, LoadersCostNoThreadOfTheirOwn) {
    BatchScheduler::shared();  // the shared scheduler exists once per process
    auto threads = [] {
        int n = 0;
        for (auto& e : std::filesystem::directory_iterator("/proc/self/task")) (void)e, ++n;
        return n;
    };
    const int before = threads();
    std::vector<std::unique_ptr<IntLoader>> loaders;
    Recorder rec;
    for (int i = 0; i < 50; ++i) loaders.push_back(std::make_unique<IntLoader>(rec.fn(), opts()));
    EXPECT_EQ(threads(), before);
    for (auto& l : loaders) l->load(1);
    for (auto& l : loaders) l->dispatch();
    EXPECT_EQ(rec.batches.size(), 50u);
}

// A window timer whose keys were dispatched explicitly leaves the queue:
// per-request loaders that dispatch every tick leave no timers behind.
TEST(DataLoader, ExplicitDispatchCancelsTheWindowTimer) {
    auto scheduler = std::make_shared<BatchScheduler>(1);
    auto o = opts(100, std::chrono::seconds(10));
    o.scheduler = scheduler;
    Recorder rec;
    for (int i = 0; i < 50; ++i) {
        IntLoader loader(rec.fn(), o);
        auto f = loader.load(i);
        EXPECT_EQ(scheduler->queued(), 1u);
        loader.dispatch();
        EXPECT_EQ(f.get(), "v" + std::to_string(i));
        EXPECT_EQ(scheduler->queued(), 0u);
    }
    EXPECT_EQ(rec.batches.size(), 50u);
}

// The load() that filled a batch used to run the batch itself, blocking its
// caller for the whole batch.
TEST(DataLoader, LoadNeverRunsABatchOnItsCallersThread) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<bool> ran_here{false};
    const auto caller = std::this_thread::get_id();
    IntLoader loader(
        [&](const std::vector<int>& keys) {
            if (std::this_thread::get_id() == caller) ran_here = true;
            released.wait_for(5s);
            std::vector<IntLoader::Outcome> out;
            for (int k : keys) out.emplace_back("v" + std::to_string(k));
            return out;
        },
        opts(2));
    const auto t0 = std::chrono::steady_clock::now();
    auto a = loader.load(1);
    auto b = loader.load(2);  // fills the batch
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
    EXPECT_EQ(b.wait_for(50ms), std::future_status::timeout);  // still running elsewhere
    release.set_value();
    EXPECT_EQ(b.get(), "v2");
    EXPECT_EQ(a.get(), "v1");
    EXPECT_FALSE(ran_here);
}

TEST(DataLoader, BoundedCacheEvictsTheLeastRecentlyUsed) {
    Recorder rec;
    auto o = opts();
    o.cache_size = 2;
    IntLoader loader(rec.fn(), o);
    for (int k : {1, 2, 3}) loader.load(k);
    loader.dispatch();
    EXPECT_EQ(loader.load(3).get(), "v3");  // cached
    EXPECT_EQ(loader.load(2).get(), "v2");  // cached
    EXPECT_EQ(rec.batches.size(), 1u);
    auto again = loader.load(1);  // evicted: loaded again
    loader.dispatch();
    EXPECT_EQ(again.get(), "v1");
    EXPECT_EQ(rec.batches.size(), 2u);
}

// The default cache key used std::to_string: load(2e-7) returned the value
// cached for 1e-7 ("0.000000" both).
TEST(DataLoader, CacheKeysAreExactForEveryType) {
    using DLoader = DataLoader<double, std::string>;
    DLoader loader([](const std::vector<double>& keys) {
        std::vector<DLoader::Outcome> out;
        for (double k : keys) {
            std::string s;
            ValueTraits<double>::to_text(k, s);
            out.emplace_back(s);
        }
        return out;
    }, opts());
    auto a = loader.load(1e-7), b = loader.load(2e-7), c = loader.load(1e-7);
    loader.dispatch();
    EXPECT_EQ(a.get(), "1e-07");
    EXPECT_EQ(b.get(), "2e-07");
    EXPECT_EQ(c.get(), "1e-07");
    EXPECT_EQ(loader.load(2e-7).get(), "2e-07");
    using VLoader = DataLoader<std::vector<int>, int>;
    VLoader sums([](const std::vector<std::vector<int>>& keys) {
        std::vector<VLoader::Outcome> out;
        for (const auto& k : keys) out.emplace_back(k.empty() ? 0 : k[0] + (k.size() > 1 ? k[1] : 0));
        return out;
    }, opts());
    auto x = sums.load({1, 23}), y = sums.load({12, 3});
    sums.dispatch();
    EXPECT_EQ(x.get(), 24);
    EXPECT_EQ(y.get(), 15);
}

TEST(DataLoader, DestructionRunsPendingKeysAndWaitsForRunningBatches) {
    std::atomic<int> finished{0};
    std::shared_future<std::string> pending, running;
    {
        IntLoader loader([&](const std::vector<int>& keys) {
            std::this_thread::sleep_for(100ms);
            ++finished;
            std::vector<IntLoader::Outcome> out;
            for (int k : keys) out.emplace_back("v" + std::to_string(k));
            return out;
        }, opts(2));
        loader.load(1);
        running = loader.load(2);  // handed to the scheduler
        pending = loader.load(3);  // waits for a window of 10 s
    }
    EXPECT_EQ(finished, 2);
    EXPECT_EQ(running.get(), "v2");
    EXPECT_EQ(pending.get(), "v3");
}

TEST(AnyLoader, OneQueryForManyKeysAgainstARealTable) {
    Client c(test::test_config(2));
    const std::string t = "dl_users_" + std::to_string(::getpid());
    c.query("CREATE TABLE " + t + " (id int PRIMARY KEY, name text)");
    c.query("INSERT INTO " + t + " SELECT g, 'user' || g FROM generate_series(1, 200) g");
    DataLoaderOptions o;
    o.window = std::chrono::seconds(10);
    auto loader = make_any_loader(c, "SELECT id, name FROM " + t + " WHERE id = ANY($1)", "id", o);
    const auto before = c.metrics_text();
    std::vector<std::shared_future<std::optional<Record>>> f;
    for (int k : {150, 3, 999, 42}) f.push_back(loader->load(std::to_string(k)));
    loader->dispatch();
    ASSERT_TRUE(f[0].get().has_value());
    EXPECT_EQ(*f[0].get()->at("name"), "user150");
    EXPECT_EQ(*f[1].get()->at("name"), "user3");
    EXPECT_FALSE(f[2].get().has_value());  // no such row
    EXPECT_EQ(*f[3].get()->at("id"), "42");
    EXPECT_EQ(loader->batches(), 1u);
    const auto m = c.metrics_text();
    // CREATE, INSERT and the one batch.
    EXPECT_NE(m.find("pothos_database_queries_total{operation=\"select\",model=\"" + t +
                     "\",status=\"success\"} 1"),
              std::string::npos) << m;
    c.query("DROP TABLE " + t);
}

TEST(AnyLoader, TypedKeys) {
    Client c(test::test_config(1));
    DataLoaderOptions o;
    o.window = std::chrono::seconds(10);
    auto loader = make_any_loader<std::int64_t>(
        c, "SELECT g AS id, g * 10 AS ten FROM generate_series(1, 5) g WHERE g = ANY($1)", "id", o);
    auto a = loader->load(3), b = loader->load(9);
    loader->dispatch();
    ASSERT_TRUE(a.get().has_value());
    EXPECT_EQ(*a.get()->at("ten"), "30");
    EXPECT_FALSE(b.get().has_value());
}

TEST(AnyLoader, DispatchCarriesTheRequestId) {
    Client c(test::test_config(1));
    DataLoaderOptions o;
    o.window = std::chrono::seconds(10);
    o.request_id = "loader-request";
    auto loader = make_any_loader(
        c, "SELECT k, current_query() AS q FROM unnest($1::text[]) AS k", "k", o);
    auto f = loader->load("x");
    loader->dispatch();
    ASSERT_TRUE(f.get().has_value());
    EXPECT_NE(f.get()->at("q")->find("traceparent='00-" + trace_id_for("loader-request")),
              std::string::npos);
}
