// A connection pool with tarn.js semantics: FIFO waiters with their own
// deadlines, most-recently-used reuse, connections created off the caller's
// path by a background thread, eviction of broken connections.
//
// Fast path: a thread that gives a connection back and asks again gets the
// same one with one compare-and-swap on that connection's own slot (the
// HikariCP "thread-local bag" idea); no pool-wide lock is taken unless the
// thread's last connection is busy.
//
// Fairness (bounded barging, like Go's sync.Mutex): normally a released
// connection becomes idle, so a running thread may take it back at once, and
// the oldest waiter is woken to try for it; waiters among themselves stay
// first-come-first-served. Once the oldest waiter has waited longer than
// handoff_after, releases hand connections directly to the oldest waiters
// (starvation mode) until no queued waiter is older than that.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <pothos/connection.hpp>
#include <pothos/pool_options.hpp>
#include <pothos/pool_stats.hpp>

namespace pothos {

class Pool;

// RAII lease of one pooled connection; given back on destruction.
class Lease {
public:
    Lease() = default;
    Lease(Lease&& o) noexcept : pool_(o.pool_), slot_(o.slot_), request_id_(std::move(o.request_id_)) {
        o.pool_ = nullptr;
    }
    Lease& operator=(Lease&& o) noexcept;
    ~Lease() { release(); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    explicit operator bool() const noexcept { return pool_ != nullptr; }
    Connection& connection() const;
    Connection* operator->() const { return &connection(); }
    void release() noexcept;

    // The request id that statements run on this lease are tagged with.
    void set_request_id(std::string id) { request_id_ = std::move(id); }
    const std::string& request_id() const noexcept { return request_id_; }
    Pool* pool() const noexcept { return pool_; }

private:
    friend class Pool;
    Lease(Pool* pool, std::uint32_t slot) : pool_(pool), slot_(slot) {}
    Pool* pool_ = nullptr;
    std::uint32_t slot_ = 0;
    std::string request_id_;
};

class Pool {
public:
    explicit Pool(PoolOptions options);
    ~Pool();  // closes every connection; leases must be gone by then
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // Waits at most timeout (default: acquire_timeout). Throws PoolTimeoutError,
    // or with propagate_create_error the ConnectionError of a failed create.
    Lease acquire(const char* file = __builtin_FILE(), int line = __builtin_LINE());
    Lease acquire(Millis timeout, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE());

    PoolStats stats() const;
    const PoolOptions& options() const noexcept { return opt_; }
    // Blocks until at least min connections are open (or timeout passes).
    bool wait_for_min(Millis timeout);

private:
    friend class Lease;
    struct Slot;
    struct Waiter;

    void release(std::uint32_t index) noexcept;
    void release_slow(std::uint32_t index) noexcept;
    Lease acquire_slow(Clock::time_point start, Clock::time_point deadline, const char* file,
                       int line);
    bool checkout(std::uint32_t index, Clock::time_point deadline) noexcept;
    void stamp(std::uint32_t index, const char* file, int line) noexcept;
    long claim_idle_locked() noexcept;
    void make_available(std::uint32_t index) noexcept;
    void hand_over_locked(std::uint32_t index) noexcept;
    void wake_head_locked() noexcept;
    void remove_waiter_locked(Waiter* w) noexcept;
    void update_starving_locked() noexcept;
    bool any_idle() const noexcept;
    void destroy(std::uint32_t index, const char* why) noexcept;
    void request_creates_locked();
    void run_worker();
    void create_one(std::unique_lock<std::mutex>& lk);
    void reap(std::unique_lock<std::mutex>& lk);
    PoolStats stats_locked() const;
    std::int64_t lifetime_ns() const;

    PoolOptions opt_;
    std::shared_ptr<Logger> log_;
    const std::uint64_t id_;
    std::unique_ptr<Slot[]> slots_;

    std::atomic<std::size_t> waiter_count_{0};
    // Starvation mode: releases hand connections directly to the oldest
    // waiter, nobody barges. Always set when handoff_after is 0. Written
    // under mu_, read without it.
    std::atomic<bool> starving_{false};
    // The oldest waiter has been woken to look for an idle connection and has
    // not looked yet: a release need not wake it again. Written under mu_.
    std::atomic<bool> wake_pending_{false};
    // The pool's clock for the fast path: a monotonic time in ns refreshed by
    // the background thread every 10 ms, so acquire/release read no clock.
    alignas(64) std::atomic<std::int64_t> now_ns_{0};
    mutable std::mutex mu_;
    std::condition_variable worker_cv_;
    std::condition_variable min_cv_;
    std::deque<Waiter*> waiters_;
    std::size_t size_ = 0, pending_creates_ = 0, invalid_ = 0;
    std::uint64_t acquires_done_ = 0, releases_done_ = 0;  // of destroyed slots
    std::uint64_t creates_ = 0, destroys_ = 0, waits_ = 0;
    std::int64_t wait_ns_ = 0, create_ns_ = 0;
    Clock::time_point retry_creates_at_{};
    std::string last_create_error_;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace pothos
