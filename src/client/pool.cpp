// Pool: slots with an atomic state, a thread-local fast path, a FIFO of
// waiters each with its own condition variable and deadline, and one
// background thread that creates connections and reaps idle, expired, leaked
// and unhealthy ones.
//
// Fairness is bounded barging. Normal mode: a released connection becomes
// idle (any running thread may take it) and the oldest waiter, unless it is
// already awake, is woken to look for it; if it finds nothing it sleeps again
// at the head of the queue. Only the oldest waiter ever looks, so waiters
// never overtake each other. Starvation mode (starving_): set by a waiter
// that has waited handoff_after, cleared when the oldest remaining waiter is
// younger than that; releases then hand connections directly to the oldest
// waiter and nobody barges. handoff_after 0 keeps the pool in starvation mode.
#include <pothos/pool.hpp>

#include <time.h>

#include <algorithm>
#include <climits>
#include <random>

#include <pothos/errors.hpp>

#include "conninfo.hpp"

namespace pothos {
namespace {

enum SlotState : int { kEmpty = 0, kIdle = 1, kInUse = 2, kReserved = 3 };

// A cheap monotonic clock (a few ns, millisecond-ish resolution) for the fast
// path: idle times, lease times and lifetimes.
std::int64_t coarse_ns() noexcept {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::int64_t to_ns(Millis m) { return static_cast<std::int64_t>(m.count()) * 1000000; }

std::atomic<std::uint64_t> next_pool_id{1};

struct Hint {
    std::uint64_t pool = 0;
    std::uint32_t slot = 0;
};
// initial-exec: no __tls_get_addr call on the fast path (the library is
// linked at program start, never dlopen'ed late).
thread_local Hint tl_hint __attribute__((tls_model("initial-exec")));

template <class A>
void bump(A& counter) noexcept {  // single writer (the slot's owner)
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace

struct Pool::Slot {
    alignas(64) std::atomic<int> state{kEmpty};
    std::unique_ptr<Connection> conn;  // touched only by the slot's owner
    std::int64_t expires_at = LLONG_MAX;
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
struct Pool::Waiter {
    std::condition_variable cv;
    Clock::time_point since;  // when it was queued (monotonic in queue order)
    bool done = false;        // slot or error handed over
    bool notified = false;    // (oldest waiter only) asked to look for an idle slot
    long slot = -1;
    std::exception_ptr error;
};

// ---- Lease -------------------------------------------------------------

Lease& Lease::operator=(Lease&& o) noexcept {
    if (this != &o) {
        release();
        pool_ = o.pool_;
        slot_ = o.slot_;
        request_id_ = std::move(o.request_id_);
        o.pool_ = nullptr;
    }
    return *this;
}

Connection& Lease::connection() const {
    if (!pool_) throw std::logic_error("lease: no connection (released or moved from)");
    return *pool_->slots_[slot_].conn;
}

void Lease::release() noexcept {
    if (pool_) {
        Pool* p = pool_;
        pool_ = nullptr;
        p->release(slot_);
    }
}

// ---- Pool --------------------------------------------------------------

Pool::Pool(PoolOptions options)
    : opt_((detail::check_conninfo(options.conninfo, "conninfo"), std::move(options))),
      log_(opt_.logger ? opt_.logger : std::make_shared<Logger>()),
      id_(next_pool_id.fetch_add(1)) {
    if (opt_.max == 0) throw ConfigError("max", "pool max must be at least 1");
    if (opt_.min > opt_.max) throw ConfigError("min", "pool min exceeds max");
    if (opt_.handoff_after.count() < 0) opt_.handoff_after = Millis(0);
    slots_.reset(new Slot[opt_.max]);
    now_ns_.store(coarse_ns());
    starving_.store(opt_.handoff_after.count() == 0);
    {
        std::lock_guard<std::mutex> lk(mu_);
        request_creates_locked();
    }
    worker_ = std::thread([this] { run_worker(); });
}

Pool::~Pool() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        stopping_ = true;
        while (!waiters_.empty()) {
            Waiter* w = waiters_.front();
            waiters_.pop_front();
            waiter_count_.fetch_sub(1);
            w->notified = false;
            w->error = std::make_exception_ptr(DatabaseError("pool is closing", "57P01"));
            w->done = true;
            w->cv.notify_one();
        }
        wake_pending_.store(false);
    }
    worker_cv_.notify_all();
    worker_.join();
    for (std::size_t i = 0; i < opt_.max; ++i) slots_[i].conn.reset();
}

std::int64_t Pool::lifetime_ns() const {
    if (opt_.max_lifetime.count() <= 0) return LLONG_MAX;
    // Up to 2.5 % less, so connections created together do not expire together.
    thread_local std::minstd_rand rng(std::random_device{}());
    const std::int64_t full = to_ns(opt_.max_lifetime);
    return now_ns_.load() + full - static_cast<std::int64_t>(full * 0.025 * (rng() % 1000) / 1000.0);
}

Lease Pool::acquire(const char* file, int line) { return acquire(opt_.acquire_timeout, file, line); }

Lease Pool::acquire(Millis timeout, const char* file, int line) {
    const Hint h = tl_hint;
    // With waiters queued the fast path may still barge, except in starvation mode.
    if (h.pool == id_ && (waiter_count_.load(std::memory_order_relaxed) == 0 ||
                          !starving_.load(std::memory_order_relaxed))) {
        Slot& s = slots_[h.slot];
        int expect = kIdle;
        if (s.state.compare_exchange_strong(expect, kInUse, std::memory_order_acquire,
                                            std::memory_order_relaxed)) {
            const std::int64_t now = now_ns_.load(std::memory_order_relaxed);
            if (s.expires_at > now &&
                now - s.idle_since.load(std::memory_order_relaxed) <
                    to_ns(opt_.validation_threshold)) {
                stamp(h.slot, file, line);
                return Lease(this, h.slot);
            }
            const auto start = Clock::now();
            if (checkout(h.slot, start + timeout)) {
                stamp(h.slot, file, line);
                return Lease(this, h.slot);
            }
        }
    }
    const auto start = Clock::now();
    return acquire_slow(start, start + timeout, file, line);
}

void Pool::stamp(std::uint32_t index, const char* file, int line) noexcept {
    Slot& s = slots_[index];
    bump(s.acquires);
    if (opt_.leak_detection_threshold.count() > 0) {
        s.leased_at.store(now_ns_.load(std::memory_order_relaxed), std::memory_order_relaxed);
        s.lease_file.store(file, std::memory_order_relaxed);
        s.lease_line.store(line, std::memory_order_relaxed);
        s.leak_warned.store(false, std::memory_order_relaxed);
    }
}

// The caller owns the slot. False when the connection had to be destroyed.
bool Pool::checkout(std::uint32_t index, Clock::time_point deadline) noexcept {
    Slot& s = slots_[index];
    const std::int64_t now = now_ns_.load(std::memory_order_relaxed);
    if (s.expires_at <= now) {
        destroy(index, "max_lifetime reached");
        return false;
    }
    if (now - s.idle_since.load(std::memory_order_relaxed) >= to_ns(opt_.validation_threshold)) {
        if (!s.conn->ping(deadline)) {
            {
                std::lock_guard<std::mutex> lk(mu_);
                ++invalid_;
            }
            destroy(index, "validation failed");
            return false;
        }
        s.idle_since.store(now_ns_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    }
    return true;
}

long Pool::claim_idle_locked() noexcept {
    for (;;) {
        long best = -1;
        std::int64_t best_time = LLONG_MIN;
        for (std::size_t i = 0; i < opt_.max; ++i) {
            Slot& s = slots_[i];
            if (s.state.load(std::memory_order_seq_cst) != kIdle) continue;
            const auto t = s.idle_since.load(std::memory_order_relaxed);
            if (t > best_time) {
                best_time = t;
                best = static_cast<long>(i);
            }
        }
        if (best < 0) return -1;
        int expect = kIdle;
        if (slots_[best].state.compare_exchange_strong(expect, kInUse, std::memory_order_acq_rel))
            return best;
    }
}

Lease Pool::acquire_slow(Clock::time_point start, Clock::time_point deadline, const char* file,
                         int line) {
    for (;;) {
        std::unique_lock<std::mutex> lk(mu_);
        if (stopping_) throw DatabaseError("pool is closing", "57P01");
        // A running thread may take an idle connection ahead of the queued
        // waiters (barging), but not in starvation mode.
        long index = waiters_.empty() || !starving_.load(std::memory_order_relaxed)
                         ? claim_idle_locked()
                         : -1;
        if (index < 0) {
            Waiter w;
            w.since = Clock::now();
            waiters_.push_back(&w);
            waiter_count_.fetch_add(1, std::memory_order_seq_cst);
            // A release that saw no waiter may have made a slot idle meanwhile.
            if (waiters_.size() == 1) index = claim_idle_locked();
            if (index >= 0) {
                remove_waiter_locked(&w);
            } else {
                request_creates_locked();
                if (log_->debug_enabled("db:pool")) {
                    log_->log(LogLevel::debug, "db:pool",
                              opt_.name + ": waiting for a connection (" +
                                  std::to_string(waiters_.size()) + " waiting, size " +
                                  std::to_string(size_) + "/" + std::to_string(opt_.max) + ")");
                    if (waiters_.size() > 1 && size_ >= opt_.max)
                        log_->log(LogLevel::debug, "db:pool",
                                  opt_.name + ": pool under pressure: " +
                                      std::to_string(waiters_.size()) + " waiters queued");
                }
                const auto starve_at = w.since + opt_.handoff_after;
                for (;;) {
                    if (w.done) break;
                    if (w.notified) {  // we are the oldest waiter and were asked to look
                        w.notified = false;
                        // Cleared before the scan: a release that makes a slot
                        // idle after the scan sees the flag clear and wakes us.
                        wake_pending_.store(false, std::memory_order_seq_cst);
                        index = claim_idle_locked();
                        if (index >= 0) {
                            remove_waiter_locked(&w);
                            if (!waiters_.empty() && any_idle()) wake_head_locked();
                            break;
                        }
                    }
                    const auto now = Clock::now();
                    if (now >= deadline) {
                        PoolStats st = stats_locked();  // includes this waiter
                        remove_waiter_locked(&w);
                        std::string last = last_create_error_;
                        lk.unlock();
                        log_->debug("db:pool", opt_.name + ": acquire timed out");
                        throw PoolTimeoutError(
                            "acquire_timeout (" + std::to_string(opt_.acquire_timeout.count()) +
                                " ms)",
                            st, last);
                    }
                    auto until = deadline;
                    if (now < starve_at)
                        until = std::min(until, starve_at);  // wake once to start starvation mode
                    else if (!starving_.load(std::memory_order_relaxed))
                        starving_.store(true, std::memory_order_seq_cst);  // the head is older still
                    w.cv.wait_until(lk, until);
                }
                if (w.error) std::rethrow_exception(w.error);
                if (w.done) index = w.slot;
                ++waits_;
                wait_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() -
                                                                                 start)
                                .count();
            }
        }
        lk.unlock();
        if (checkout(static_cast<std::uint32_t>(index), deadline)) {
            stamp(static_cast<std::uint32_t>(index), file, line);
            return Lease(this, static_cast<std::uint32_t>(index));
        }
    }
}

void Pool::release(std::uint32_t index) noexcept {
    Slot& s = slots_[index];
    bump(s.releases);
    if (!s.conn->reusable()) {
        release_slow(index);
        return;
    }
    s.idle_since.store(now_ns_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    tl_hint = Hint{id_, index};
    make_available(index);
}

void Pool::release_slow(std::uint32_t index) noexcept {
    Connection& c = *slots_[index].conn;
    if (!c.broken() && c.in_transaction()) {
        try {
            c.exec("ROLLBACK", {}, Clock::now() + opt_.destroy_timeout);
            log_->debug("db:pool", opt_.name + ": rolled back a connection returned in a transaction");
        } catch (...) {
            c.mark_broken();
        }
    } else if (!c.broken() && !c.idle()) {
        c.mark_broken();  // returned with a statement still running
    }
    if (c.broken() || !c.idle()) {
        {
            std::lock_guard<std::mutex> lk(mu_);
            ++invalid_;
        }
        destroy(index, "broken connection evicted");
        return;
    }
    slots_[index].idle_since.store(now_ns_.load(std::memory_order_relaxed),
                                   std::memory_order_relaxed);
    make_available(index);
}

// The caller owns the slot (in use or reserved). Normal mode: the slot
// becomes idle and the oldest waiter is woken to look for it. Starvation
// mode: the slot goes straight to the oldest waiter.
void Pool::make_available(std::uint32_t index) noexcept {
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
        std::lock_guard<std::mutex> lk(mu_);
        if (waiters_.empty()) return;
        if (!starving_.load(std::memory_order_relaxed)) {
            wake_head_locked();
            return;
        }
        // Starvation mode (or a waiter queued while we released): hand the
        // slot over unless somebody took it meanwhile.
        int expect = kIdle;
        if (s.state.compare_exchange_strong(expect, kInUse, std::memory_order_acq_rel))
            hand_over_locked(index);
        return;
    }
    std::lock_guard<std::mutex> lk(mu_);
    if (waiters_.empty()) {
        s.state.store(kIdle, std::memory_order_seq_cst);
    } else if (starving_.load(std::memory_order_relaxed)) {
        hand_over_locked(index);
    } else {
        s.state.store(kIdle, std::memory_order_seq_cst);
        wake_head_locked();
    }
}

// mu_ held, waiters_ not empty, the caller owns the slot.
void Pool::hand_over_locked(std::uint32_t index) noexcept {
    Waiter* w = waiters_.front();
    slots_[index].state.store(kInUse, std::memory_order_seq_cst);
    remove_waiter_locked(w);
    w->slot = index;
    w->done = true;
    w->cv.notify_one();  // under mu_: w cannot have returned yet
}

// mu_ held, waiters_ not empty: asks the oldest waiter to look for an idle slot.
void Pool::wake_head_locked() noexcept {
    Waiter* w = waiters_.front();
    if (w->notified) return;
    w->notified = true;
    wake_pending_.store(true, std::memory_order_seq_cst);
    w->cv.notify_one();
}

// mu_ held. A pending wake of the oldest waiter passes to the next one, so an
// idle slot is never left with every waiter asleep.
void Pool::remove_waiter_locked(Waiter* w) noexcept {
    if (waiters_.front() == w)
        waiters_.pop_front();
    else
        waiters_.erase(std::find(waiters_.begin(), waiters_.end(), w));
    waiter_count_.fetch_sub(1, std::memory_order_seq_cst);
    if (w->notified) {  // only the oldest waiter is ever notified
        w->notified = false;
        wake_pending_.store(false, std::memory_order_seq_cst);
        if (!waiters_.empty()) wake_head_locked();
    }
    update_starving_locked();
}

// mu_ held: starvation mode lasts while the oldest waiter is older than handoff_after.
void Pool::update_starving_locked() noexcept {
    if (opt_.handoff_after.count() == 0) return;  // always
    const bool starving =
        !waiters_.empty() && Clock::now() - waiters_.front()->since >= opt_.handoff_after;
    if (starving_.load(std::memory_order_relaxed) != starving)
        starving_.store(starving, std::memory_order_seq_cst);
}

bool Pool::any_idle() const noexcept {
    for (std::size_t i = 0; i < opt_.max; ++i)
        if (slots_[i].state.load(std::memory_order_seq_cst) == kIdle) return true;
    return false;
}

void Pool::destroy(std::uint32_t index, const char* why) noexcept {
    Slot& s = slots_[index];
    int pid = s.conn ? s.conn->backend_pid() : 0;
    s.conn.reset();
    {
        std::lock_guard<std::mutex> lk(mu_);
        acquires_done_ += s.acquires.exchange(0);
        releases_done_ += s.releases.exchange(0);
        --size_;
        ++destroys_;
        s.expires_at = LLONG_MAX;
        s.state.store(kEmpty, std::memory_order_seq_cst);
        request_creates_locked();
    }
    if (log_->debug_enabled("db:pool"))
        log_->log(LogLevel::debug, "db:pool",
                  opt_.name + ": destroyed connection (backend " + std::to_string(pid) + "): " + why);
}

void Pool::request_creates_locked() {
    if (stopping_) return;
    const std::size_t open = size_ + pending_creates_;
    std::size_t need = 0;
    if (waiters_.size() > pending_creates_) need = waiters_.size() - pending_creates_;
    if (opt_.min > open) need = std::max(need, opt_.min - open);
    need = std::min(need, opt_.max > open ? opt_.max - open : 0);
    if (need > 0) {
        pending_creates_ += need;
        worker_cv_.notify_one();
    }
}

void Pool::run_worker() {
    constexpr auto kTick = std::chrono::milliseconds(10);
    std::unique_lock<std::mutex> lk(mu_);
    auto next_reap = Clock::now() + opt_.reap_interval;
    while (!stopping_) {
        const auto now = Clock::now();
        now_ns_.store(coarse_ns(), std::memory_order_relaxed);
        if (pending_creates_ > 0 && now >= retry_creates_at_) {
            create_one(lk);
            continue;
        }
        if (now >= next_reap) {
            reap(lk);
            next_reap = Clock::now() + opt_.reap_interval;
            continue;
        }
        auto wake = std::min(next_reap, now + kTick);
        if (pending_creates_ > 0) wake = std::min(wake, retry_creates_at_);
        worker_cv_.wait_until(lk, wake);
    }
}

void Pool::create_one(std::unique_lock<std::mutex>& lk) {
    lk.unlock();
    const auto t0 = Clock::now();
    std::unique_ptr<Connection> conn;
    std::exception_ptr error;
    std::string message;
    try {
        conn = Connection::open(opt_.conninfo, opt_.create_timeout, opt_.max_prepared_statements);
    } catch (const std::exception& e) {
        error = std::current_exception();
        message = e.what();
    }
    const auto took = Clock::now() - t0;
    lk.lock();
    --pending_creates_;
    if (stopping_) {
        lk.unlock();
        conn.reset();
        lk.lock();
        return;
    }
    if (conn) {
        std::size_t index = 0;
        while (index < opt_.max && slots_[index].state.load() != kEmpty) ++index;
        if (index == opt_.max) {  // cannot happen: creates are bounded by max
            lk.unlock();
            conn.reset();
            lk.lock();
            return;
        }
        Slot& s = slots_[index];
        const int pid = conn->backend_pid();
        s.conn = std::move(conn);
        s.expires_at = lifetime_ns();
        s.idle_since.store(now_ns_.load(), std::memory_order_relaxed);
        s.last_checked.store(now_ns_.load(), std::memory_order_relaxed);
        ++size_;
        ++creates_;
        create_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(took).count();
        if (!waiters_.empty()) {
            hand_over_locked(static_cast<std::uint32_t>(index));
        } else {
            s.state.store(kIdle, std::memory_order_seq_cst);
        }
        min_cv_.notify_all();
        if (log_->debug_enabled("db:pool"))
            log_->log(LogLevel::debug, "db:pool",
                      opt_.name + ": created connection (backend " + std::to_string(pid) + ") in " +
                          std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(took)
                                             .count() / 1000.0) +
                          " ms");
        return;
    }
    last_create_error_ = message;
    retry_creates_at_ = Clock::now() + opt_.create_retry_interval;
    if (opt_.propagate_create_error && !waiters_.empty()) {
        Waiter* w = waiters_.front();
        remove_waiter_locked(w);
        w->error = error;
        w->done = true;
        w->cv.notify_one();
    }
    request_creates_locked();
    if (log_->debug_enabled("db:pool"))
        log_->log(LogLevel::debug, "db:pool", opt_.name + ": create failed: " + message);
}

void Pool::reap(std::unique_lock<std::mutex>& lk) {
    lk.unlock();
    const std::int64_t now = now_ns_.load();
    const std::int64_t leak = to_ns(opt_.leak_detection_threshold);
    const std::int64_t health = to_ns(opt_.health_check_interval);
    for (std::uint32_t i = 0; i < opt_.max; ++i) {
        Slot& s = slots_[i];
        const int state = s.state.load(std::memory_order_acquire);
        if (state == kInUse && leak > 0) {
            const auto held = now - s.leased_at.load(std::memory_order_relaxed);
            if (held > leak && !s.leak_warned.exchange(true)) {
                const char* f = s.lease_file.load(std::memory_order_relaxed);
                log_->log(LogLevel::warn, "db:pool",
                          opt_.name + ": possible connection leak: lease taken at " +
                              (f ? f : "?") + ":" +
                              std::to_string(s.lease_line.load(std::memory_order_relaxed)) +
                              " held for " + std::to_string(held / 1000000) +
                              " ms (leak_detection_threshold " +
                              std::to_string(opt_.leak_detection_threshold.count()) + " ms)");
            }
        }
        if (state != kIdle) continue;
        int expect = kIdle;
        if (!s.state.compare_exchange_strong(expect, kReserved, std::memory_order_acq_rel)) continue;
        if (s.expires_at <= now) {
            destroy(i, "max_lifetime reached");
            continue;
        }
        bool above_min;
        {
            std::lock_guard<std::mutex> g(mu_);
            above_min = size_ > opt_.min;
        }
        const auto idle_for = now - s.idle_since.load(std::memory_order_relaxed);
        if (above_min && idle_for >= to_ns(opt_.idle_timeout)) {
            destroy(i, "idle_timeout reached");
            continue;
        }
        if (health > 0 && now - std::max(s.idle_since.load(), s.last_checked.load()) >= health) {
            s.last_checked.store(now);
            if (!s.conn->ping(Clock::now() + opt_.destroy_timeout)) {
                {
                    std::lock_guard<std::mutex> g(mu_);
                    ++invalid_;
                }
                destroy(i, "health check failed");
                continue;
            }
        }
        make_available(i);
    }
    lk.lock();
    request_creates_locked();
}

bool Pool::wait_for_min(Millis timeout) {
    std::unique_lock<std::mutex> lk(mu_);
    return min_cv_.wait_for(lk, timeout, [&] { return size_ >= opt_.min || stopping_; });
}

PoolStats Pool::stats() const {
    std::lock_guard<std::mutex> lk(mu_);
    return stats_locked();
}

PoolStats Pool::stats_locked() const {
    PoolStats st;
    st.size = size_;
    st.invalid = invalid_;
    st.pending = waiters_.size();
    st.pending_creates = pending_creates_;
    st.max = opt_.max;
    st.min = opt_.min;
    st.total_acquires = acquires_done_;
    st.total_releases = releases_done_;
    for (std::size_t i = 0; i < opt_.max; ++i) {
        const int state = slots_[i].state.load();
        if (state == kIdle) ++st.available;
        if (state == kInUse) ++st.borrowed;
        st.total_acquires += slots_[i].acquires.load(std::memory_order_relaxed);
        st.total_releases += slots_[i].releases.load(std::memory_order_relaxed);
    }
    st.total_creates = creates_;
    st.total_destroys = destroys_;
    st.average_acquire_time_ms =
        st.total_acquires ? static_cast<double>(wait_ns_) / 1e6 / st.total_acquires : 0;
    st.average_create_time_ms = creates_ ? static_cast<double>(create_ns_) / 1e6 / creates_ : 0;
    return st;
}

}  // namespace pothos
