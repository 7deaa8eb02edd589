// DataLoader<K, V>: load(key) gathers keys; a dispatch runs one batch
// function for all of them. Dispatch happens explicitly (dispatch()), when
// max_batch_size keys are pending, or when the batch window after the first
// pending key has passed (a small timer thread). Results come back in key
// order, each key with its own value or error; a cache (keyed by
// cache_key_fn) makes repeated loads of a key share one result.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

#include <pothos/options.hpp>
#include <pothos/tagging.hpp>

namespace pothos {

template <class K, class V>
class DataLoader {
public:
    // A value or the error of one key.
    using Outcome = std::variant<V, std::exception_ptr>;
    // Must return exactly one outcome per key, in the order of keys.
    using BatchFn = std::function<std::vector<Outcome>(const std::vector<K>&)>;
    using CacheKeyFn = std::function<std::string(const K&)>;

    DataLoader(BatchFn fn, DataLoaderOptions options = {}, CacheKeyFn cache_key_fn = {})
        : fn_(std::move(fn)), opt_(std::move(options)), key_fn_(std::move(cache_key_fn)) {
        if (opt_.max_batch_size == 0) throw std::invalid_argument("DataLoader: max_batch_size is 0");
        if (!key_fn_) key_fn_ = default_key_fn();
        if (opt_.cache && !key_fn_)
            throw std::invalid_argument("DataLoader: a cache_key_fn is needed for this key type");
        timer_ = std::thread([this] { run_timer(); });
    }

    ~DataLoader() {
        {
            std::lock_guard<std::mutex> lk(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        timer_.join();
        dispatch();  // nobody is left waiting forever
    }

    DataLoader(const DataLoader&) = delete;
    DataLoader& operator=(const DataLoader&) = delete;

    std::shared_future<V> load(const K& key) {
        std::vector<Pending> full;
        std::shared_future<V> f;
        {
            std::lock_guard<std::mutex> lk(mu_);
            std::string ck;
            if (opt_.cache) {
                ck = key_fn_(key);
                auto it = cache_.find(ck);
                if (it != cache_.end()) return it->second;
            }
            Pending p{key, std::make_shared<std::promise<V>>(), ck};
            f = p.promise->get_future().share();
            if (opt_.cache) cache_.emplace(ck, f);
            pending_.push_back(std::move(p));
            if (pending_.size() >= opt_.max_batch_size) {
                full.swap(pending_);
            } else if (pending_.size() == 1) {
                window_end_ = std::chrono::steady_clock::now() + opt_.window;
                cv_.notify_all();
            }
        }
        if (!full.empty()) run(std::move(full));
        return f;
    }

    std::vector<std::shared_future<V>> load_many(const std::vector<K>& keys) {
        std::vector<std::shared_future<V>> out;
        out.reserve(keys.size());
        for (const auto& k : keys) out.push_back(load(k));
        return out;
    }

    // Runs the pending keys now, in the calling thread.
    void dispatch() {
        std::vector<Pending> batch;
        {
            std::lock_guard<std::mutex> lk(mu_);
            batch.swap(pending_);
        }
        if (!batch.empty()) run(std::move(batch));
    }

    void clear(const K& key) {
        std::lock_guard<std::mutex> lk(mu_);
        if (opt_.cache) cache_.erase(key_fn_(key));
    }
    void clear_all() {
        std::lock_guard<std::mutex> lk(mu_);
        cache_.clear();
    }
    // Puts a known value in the cache (no effect when the key is cached).
    void prime(const K& key, V value) {
        std::lock_guard<std::mutex> lk(mu_);
        if (!opt_.cache) return;
        auto ck = key_fn_(key);
        if (cache_.count(ck)) return;
        std::promise<V> p;
        p.set_value(std::move(value));
        cache_.emplace(ck, p.get_future().share());
    }

    std::size_t batches() const {
        std::lock_guard<std::mutex> lk(mu_);
        return batches_;
    }

private:
    struct Pending {
        K key;
        std::shared_ptr<std::promise<V>> promise;
        std::string cache_key;
    };

    static CacheKeyFn default_key_fn() {
        if constexpr (std::is_convertible_v<K, std::string>)
            return [](const K& k) { return std::string(k); };
        else if constexpr (std::is_arithmetic_v<K>)
            return [](const K& k) { return std::to_string(k); };
        else
            return {};
    }

    void run_timer() {
        std::unique_lock<std::mutex> lk(mu_);
        while (!stopping_) {
            if (pending_.empty()) {
                cv_.wait(lk);
                continue;
            }
            if (std::chrono::steady_clock::now() < window_end_) {
                cv_.wait_until(lk, window_end_);
                continue;
            }
            std::vector<Pending> batch;
            batch.swap(pending_);
            lk.unlock();
            run(std::move(batch));
            lk.lock();
        }
    }

    void run(std::vector<Pending> all) {
        for (std::size_t from = 0; from < all.size(); from += opt_.max_batch_size) {
            const std::size_t to = std::min(all.size(), from + opt_.max_batch_size);
            std::vector<K> keys;
            keys.reserve(to - from);
            for (std::size_t i = from; i < to; ++i) keys.push_back(all[i].key);
            {
                std::lock_guard<std::mutex> lk(mu_);
                ++batches_;
            }
            std::vector<Outcome> out;
            std::exception_ptr whole;
            try {
                // The dispatch carries the loader's request id (sqlcommenter tag).
                std::optional<RequestScope> scope;
                if (!opt_.request_id.empty()) scope.emplace(opt_.request_id);
                out = fn_(keys);
                if (out.size() != keys.size())
                    throw std::logic_error("DataLoader: batch function returned " +
                                           std::to_string(out.size()) + " results for " +
                                           std::to_string(keys.size()) + " keys");
            } catch (...) {
                whole = std::current_exception();
            }
            for (std::size_t i = from; i < to; ++i) {
                std::exception_ptr err = whole;
                if (!err) {
                    auto& o = out[i - from];
                    if (auto* e = std::get_if<std::exception_ptr>(&o)) err = *e;
                    else all[i].promise->set_value(std::move(std::get<V>(o)));
                }
                if (err) {
                    all[i].promise->set_exception(err);
                    if (opt_.cache) forget_failed(all[i].cache_key);  // a later load retries
                }
            }
        }
    }

    void forget_failed(const std::string& ck) {
        std::lock_guard<std::mutex> lk(mu_);
        cache_.erase(ck);
    }

    BatchFn fn_;
    DataLoaderOptions opt_;
    CacheKeyFn key_fn_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Pending> pending_;
    std::unordered_map<std::string, std::shared_future<V>> cache_;
    std::chrono::steady_clock::time_point window_end_{};
    std::size_t batches_ = 0;
    bool stopping_ = false;
    std::thread timer_;
};

}  // namespace pothos
