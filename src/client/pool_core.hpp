// Internal: the state of a pool, shared by the Pool handle, its leases and
// its threads. It is deleted by the Pool's destructor, or, when leases are
// still out at that moment, by the release of the last of them: a lease
// never points at freed memory, and the fast path pays no reference count.
// A release that runs while the destructor does is safe too: the releasing
// thread announces it in a thread-local, and close() waits for those after
// an asymmetric barrier, so no release is still inside the core when it goes.
//
// Threads: one housekeeper (the pool's clock every 10 ms, leak reports,
// idle/lifetime retirement, scheduling health checks; it never waits on the
// network) and up to max_parallel_creates workers (connection attempts and
// health-check pings), started when first needed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pothos/pool.hpp>
#include <pothos/pool_observer.hpp>

namespace pothos::detail {

enum SlotState : int { kEmpty = 0, kIdle = 1, kInUse = 2, kReserved = 3 };

// How long acquire() may take: an absolute deadline, or a timeout counted
// from the first clock read (the fast path reads no clock), with the name
// and value of the limit for the error.
struct AcquireBudget {
    std::optional<Clock::time_point> at;
    Millis timeout{0};
    const char* name = "acquire_timeout";
    Millis value{0};
    Clock::time_point deadline(Clock::time_point now) const { return at ? *at : now + timeout; }
};

struct PoolCore {
    struct Slot;
    struct Waiter;

    explicit PoolCore(PoolOptions options);
    ~PoolCore();

    // pool_acquire.cpp: the caller-side paths.
    Lease acquire(Millis timeout, const char* file, int line);
    Lease acquire(const AcquireBudget& budget, const char* file, int line);
    template <class MakeBudget>
    Lease acquire_with(const MakeBudget& budget, const char* file, int line);
    Lease acquire_checked(std::uint32_t index, const AcquireBudget& budget, const char* file,
                          int line);
    void release(std::uint32_t index) noexcept;
    Connection& connection(std::uint32_t index) noexcept;
    // pool_maintenance.cpp: threads, creation, reaping, closing.
    void start();
    void close() noexcept;  // from ~Pool; may delete this
    void evict_all();
    bool wait_for_min(Millis timeout);
    PoolStats stats() const;

    // pool_acquire.cpp
    Lease acquire_slow(Clock::time_point start, Clock::time_point deadline,
                       const AcquireBudget& budget, const char* file, int line);
    bool checkout(std::uint32_t index, Clock::time_point deadline) noexcept;
    void stamp(std::uint32_t index, const char* file, int line, Clock::time_point start,
               bool waited) noexcept;
    void observe_release(Slot& s) noexcept;
    void release_slow(std::uint32_t index) noexcept;  // ends the thread's release
    void wait_for_releases() noexcept;
    void release_dirty(std::uint32_t index) noexcept;
    void release_closing(std::uint32_t index) noexcept;
    long claim_idle_locked() noexcept;
    inline void make_available(std::uint32_t index) noexcept;
    void wake_for_idle(std::uint32_t index) noexcept;
    void hand_over_or_idle(std::uint32_t index) noexcept;
    void hand_over_locked(std::uint32_t index) noexcept;
    void wake_head_locked() noexcept;
    void remove_waiter_locked(Waiter* w) noexcept;
    void update_starving_locked() noexcept;
    bool any_idle() const noexcept;
    [[noreturn]] void timed_out(std::unique_lock<std::mutex>& lk, Waiter* w,
                                const AcquireBudget& budget);
    void leave_locked() noexcept;

    // pool_maintenance.cpp
    void destroy(std::uint32_t index, const char* why) noexcept;
    void request_creates_locked() noexcept;
    void ensure_workers_locked() noexcept;
    void run_housekeeper();
    void run_worker();
    void create_one(std::unique_lock<std::mutex>& lk);
    void health_check(std::uint32_t index) noexcept;
    void reap(std::unique_lock<std::mutex>& lk);
    void leak_check(std::uint32_t index, std::int64_t now) noexcept;
    void leak_returned(std::uint32_t index, std::int64_t returned_ns) noexcept;
    PoolStats stats_locked() const;
    std::int64_t lifetime_ns() const;
    std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_relaxed); }
    bool closing() const noexcept { return generation() & kClosingBit; }

    // Read on every acquire and release: one cache line. generation_ is
    // bumped by evict_all (older connections are not reused) and gets
    // kClosingBit when the Pool goes (releases then close their connection);
    // a slot's generation never has that bit, so one comparison covers both.
    static constexpr std::uint64_t kClosingBit = 1ull << 63;
    alignas(64) std::atomic<std::uint64_t> generation_{0};
    PoolObserver* observer_;  // opt_.observer.get()
    std::int64_t validation_ns_;  // validation_threshold in ns
    bool track_leases_;           // leak detection on: stamp the lease site
    bool full_fence_;             // no membarrier: releases fence themselves
    const std::uint64_t id_;
    Slot* slots_;

    PoolOptions opt_;
    std::shared_ptr<Logger> log_;
    std::unique_ptr<Slot[]> slot_storage_;

    std::atomic<std::size_t> waiter_count_{0};
    // Starvation mode: releases hand connections directly to the oldest
    // waiter, nobody barges. Always set when handoff_after is 0. Written
    // under mu_, read without it.
    std::atomic<bool> starving_{false};
    // The oldest waiter has been woken to look for an idle connection and has
    // not looked yet: a release need not wake it again. Written under mu_.
    std::atomic<bool> wake_pending_{false};
    // The pool's clock for the fast path: a monotonic time in ns refreshed by
    // the housekeeper every 10 ms, so acquire/release read no clock.
    alignas(64) std::atomic<std::int64_t> now_ns_{0};
    mutable std::mutex mu_;
    std::condition_variable housekeeper_cv_;
    std::condition_variable work_cv_;
    std::condition_variable min_cv_;
    std::condition_variable callers_cv_;
    std::deque<Waiter*> waiters_;
    std::deque<std::uint32_t> health_queue_;  // reserved slots to ping
    std::size_t size_ = 0, pending_creates_ = 0, creating_ = 0, invalid_ = 0;
    std::size_t callers_inside_ = 0;  // threads blocked in acquire_slow / wait_for_min
    std::size_t leased_at_close_ = 0;
    bool orphaned_ = false;  // the Pool is gone; the last release deletes this
    std::uint64_t acquires_done_ = 0, releases_done_ = 0;  // of destroyed slots
    std::uint64_t creates_ = 0, destroys_ = 0, waits_ = 0, timeouts_ = 0;
    std::int64_t wait_ns_ = 0, create_ns_ = 0;
    Clock::time_point retry_creates_at_{};
    std::string last_create_error_;
    bool stopping_ = false;
    std::thread housekeeper_;
    std::vector<std::thread> workers_;
};

struct PoolCore::Slot {
    alignas(64) std::atomic<int> state{kEmpty};
    std::unique_ptr<Connection> conn;  // touched only by the slot's owner
    std::int64_t expires_at = 0;       // owner only
    std::uint64_t generation = 0;      // owner only
    std::int64_t acquired_ns = 0;      // owner only; with an observer
    std::atomic<std::int64_t> idle_since{0};
    std::atomic<std::int64_t> last_checked{0};
    std::atomic<std::int64_t> leased_at{0};
    std::atomic<const char*> lease_file{nullptr};
    std::atomic<int> lease_line{0};
    std::atomic<bool> leak_warned{false};
    std::atomic<std::uint64_t> acquires{0};
    std::atomic<std::uint64_t> releases{0};
};

// Lives on the waiting thread's stack; all fields guarded by mu_. Whoever
// sets done (or removes it from waiters_) does so under mu_, and the waiter
// returns only after it has reacquired mu_ and left the queue.
struct PoolCore::Waiter {
    std::condition_variable cv;
    Clock::time_point since;  // when it was queued (monotonic in queue order)
    bool done = false;        // slot or error handed over
    bool notified = false;    // (oldest waiter only) asked to look for an idle slot
    long slot = -1;
    std::exception_ptr error;
};

// The caller owns the slot (in use or reserved). Normal mode: the slot
// becomes idle and the oldest waiter is woken to look for it. Starvation
// mode: the slot goes straight to the oldest waiter. Inline: it ends every
// release.
inline void PoolCore::make_available(std::uint32_t index) noexcept {
    Slot& s = slots_[index];
    if (waiter_count_.load(std::memory_order_seq_cst) == 0 ||
        !starving_.load(std::memory_order_seq_cst)) {
        s.state.store(kIdle, std::memory_order_seq_cst);
        // Nobody waits, or the oldest waiter is awake and has not scanned the
        // slots yet (it clears wake_pending_ before it scans, so it will see
        // this slot). Otherwise wake it.
        if (waiter_count_.load(std::memory_order_seq_cst) == 0 ||
            wake_pending_.load(std::memory_order_seq_cst))
            return;
        wake_for_idle(index);
        return;
    }
    hand_over_or_idle(index);
}

// A cheap monotonic clock (a few ns, millisecond-ish resolution) for the
// housekeeper: idle times, lease times and lifetimes.
std::int64_t coarse_ns() noexcept;
inline std::int64_t to_ns(Millis m) { return static_cast<std::int64_t>(m.count()) * 1000000; }

}  // namespace pothos::detail
