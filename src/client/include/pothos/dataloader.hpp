// DataLoader<K, V>: load(key) gathers keys; a dispatch runs one batch
// function for all of them. Results come back in key order, each key with
// its own value or error; a cache makes repeated loads of a key share one
// result.
//
// When a batch runs:
//   - dispatch(): the pending keys, now, on the calling thread (the explicit
//     per-request dispatch, as a GraphQL executor does at the end of a tick);
//   - max_batch_size keys pending: the batch is handed to the scheduler;
//   - window after the first pending key: the scheduler runs it.
// load() itself never runs a batch and never blocks on one. The loader has
// no thread of its own: batches and window timers run on a BatchScheduler
// shared by all loaders (batch_scheduler.hpp).
//
// Cache keys are exact: by default the key itself for strings, and the
// exact text form (ValueTraits: shortest round-trip for floating point) for
// numbers and the other value types, so 1e-7 and 2e-7 are two keys; other
// key types need a cache_key_fn. cache_size bounds the cache (an LRU).
//
// Thread safety: thread-safe; load(), dispatch(), clear() and prime() may be
// called from any thread. (Lock order: a loader's lock, then the
// scheduler's; the scheduler runs tasks without its lock.) The destructor runs the keys still pending (on the
// destroying thread) and waits for batches under way, so the batch function
// is never called after it returns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <pothos/batch_scheduler.hpp>
#include <pothos/lru.hpp>
#include <pothos/options.hpp>
#include <pothos/tagging.hpp>
#include <pothos/value_traits.hpp>

namespace pothos {

namespace detail {
template <class K, class = void>
struct has_text_form : std::false_type {};
template <class K>
struct has_text_form<K, std::void_t<decltype(ValueTraits<K>::to_text(
                            std::declval<const K&>(), std::declval<std::string&>()))>>
    : std::true_type {};
}  // namespace detail

template <class K, class V>
class DataLoader {
public:
    // A value or the error of one key.
    using Outcome = std::variant<V, std::exception_ptr>;
    // Must return exactly one outcome per key, in the order of keys.
    using BatchFn = std::function<std::vector<Outcome>(const std::vector<K>&)>;
    using CacheKeyFn = std::function<std::string(const K&)>;

    DataLoader(BatchFn fn, DataLoaderOptions options = {}, CacheKeyFn cache_key_fn = {})
        : state_(std::make_shared<State>(std::move(fn), std::move(options), std::move(cache_key_fn))) {}

    ~DataLoader() {
        std::vector<Pending> rest;
        {
            std::unique_lock<std::mutex> lk(state_->mu);
            state_->closed = true;
            state_->cancel_timer();
            rest.swap(state_->pending);
            ++state_->running;
        }
        state_->run(std::move(rest));  // nobody is left waiting forever
        std::unique_lock<std::mutex> lk(state_->mu);
        state_->idle_cv.wait(lk, [&] { return state_->running == 0; });
    }

    DataLoader(const DataLoader&) = delete;
    DataLoader& operator=(const DataLoader&) = delete;

    std::shared_future<V> load(const K& key) {
        State& st = *state_;
        std::shared_ptr<std::vector<Pending>> full;
        std::shared_future<V> f;
        {
            std::lock_guard<std::mutex> lk(st.mu);
            std::string ck;
            if (st.opt.cache) {
                ck = st.key_fn(key);
                if (auto* hit = st.cache.find(ck)) return *hit;
            }
            Pending p{key, std::make_shared<std::promise<V>>(), ck};
            f = p.promise->get_future().share();
            if (st.opt.cache) st.cache.put(ck, f);
            st.pending.push_back(std::move(p));
            if (st.pending.size() >= st.opt.max_batch_size) {
                full = std::make_shared<std::vector<Pending>>();
                full->swap(st.pending);
                st.cancel_timer();  // the window of these keys has nothing left to do
                ++st.running;
            } else if (st.pending.size() == 1) {
                const std::uint64_t window = ++st.window;
                st.timer = st.scheduler->schedule(BatchScheduler::Clock::now() + st.opt.window,
                                                  [s = state_, window] { s->window_ended(window); });
            }
        }
        if (full)
            st.scheduler->schedule(BatchScheduler::Clock::now(), [s = state_, full] {
                s->run(std::move(*full));
            });
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
            std::lock_guard<std::mutex> lk(state_->mu);
            if (state_->pending.empty()) return;
            batch.swap(state_->pending);
            state_->cancel_timer();
            ++state_->running;
        }
        state_->run(std::move(batch));
    }

    void clear(const K& key) {
        std::lock_guard<std::mutex> lk(state_->mu);
        if (state_->opt.cache) state_->cache.erase(state_->key_fn(key));
    }
    void clear_all() {
        std::lock_guard<std::mutex> lk(state_->mu);
        state_->cache.clear();
    }
    // Puts a known value in the cache (no effect when the key is cached).
    void prime(const K& key, V value) {
        std::lock_guard<std::mutex> lk(state_->mu);
        if (!state_->opt.cache) return;
        auto ck = state_->key_fn(key);
        if (state_->cache.contains(ck)) return;
        std::promise<V> p;
        p.set_value(std::move(value));
        state_->cache.put(ck, p.get_future().share());
    }

    std::size_t batches() const {
        std::lock_guard<std::mutex> lk(state_->mu);
        return state_->batches;
    }

private:
    struct Pending {
        K key;
        std::shared_ptr<std::promise<V>> promise;
        std::string cache_key;
    };

    static CacheKeyFn default_key_fn() {
        if constexpr (std::is_convertible_v<K, std::string>) {
            return [](const K& k) { return std::string(k); };
        } else if constexpr (detail::has_text_form<K>::value) {
            return [](const K& k) {
                std::string s;
                ValueTraits<K>::to_text(k, s);
                return s;
            };
        } else {
            return {};
        }
    }

    // Shared with the scheduler's tasks, which may outlive the loader.
    struct State {
        State(BatchFn f, DataLoaderOptions o, CacheKeyFn k)
            : fn(std::move(f)),
              opt(std::move(o)),
              key_fn(std::move(k)),
              cache(opt.cache_size ? opt.cache_size : std::numeric_limits<std::size_t>::max()),
              scheduler(opt.scheduler ? opt.scheduler : BatchScheduler::shared()) {
            if (opt.max_batch_size == 0) throw std::invalid_argument("DataLoader: max_batch_size is 0");
            if (!key_fn) key_fn = default_key_fn();
            if (opt.cache && !key_fn)
                throw std::invalid_argument("DataLoader: a cache_key_fn is needed for this key type");
        }

        // A window timer: runs the pending keys unless they were dispatched
        // (or a newer window began) meanwhile.
        void window_ended(std::uint64_t which) {
            std::vector<Pending> batch;
            {
                std::lock_guard<std::mutex> lk(mu);
                if (closed || which != window || pending.empty()) return;
                timer.reset();
                batch.swap(pending);
                ++window;
                ++running;
            }
            run(std::move(batch));
        }

        // mu held: the pending keys are taken; their window timer goes (a
        // timer already running finds a newer window and does nothing).
        void cancel_timer() {
            ++window;
            if (timer) scheduler->cancel(*timer);
            timer.reset();
        }

        // Runs all (split at max_batch_size); running was counted by the caller.
        void run(std::vector<Pending> all) {
            for (std::size_t from = 0; from < all.size(); from += opt.max_batch_size)
                run_one(all, from, std::min(all.size(), from + opt.max_batch_size));
            std::lock_guard<std::mutex> lk(mu);
            if (--running == 0) idle_cv.notify_all();
        }

        void run_one(std::vector<Pending>& all, std::size_t from, std::size_t to) {
            std::vector<K> keys;
            keys.reserve(to - from);
            for (std::size_t i = from; i < to; ++i) keys.push_back(all[i].key);
            {
                std::lock_guard<std::mutex> lk(mu);
                ++batches;
            }
            std::vector<Outcome> out;
            std::exception_ptr whole;
            try {
                // The dispatch carries the loader's request id (sqlcommenter tag).
                std::optional<RequestScope> scope;
                if (!opt.request_id.empty()) scope.emplace(opt.request_id);
                out = fn(keys);
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
                    if (opt.cache) {  // a later load retries
                        std::lock_guard<std::mutex> lk(mu);
                        cache.erase(all[i].cache_key);
                    }
                }
            }
        }

        BatchFn fn;
        DataLoaderOptions opt;
        CacheKeyFn key_fn;
        mutable std::mutex mu;
        std::condition_variable idle_cv;
        std::vector<Pending> pending;
        LruMap<std::string, std::shared_future<V>> cache;
        std::shared_ptr<BatchScheduler> scheduler;
        std::uint64_t window = 0;  // the current batch window; timers of older ones do nothing
        std::optional<BatchScheduler::Ticket> timer;  // the current window's timer
        std::size_t running = 0;   // batches taken and not finished
        std::size_t batches = 0;
        bool closed = false;
    };

    std::shared_ptr<State> state_;
};

}  // namespace pothos
