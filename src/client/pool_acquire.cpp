// The caller-side paths of the pool: Lease, the Pool handle, acquire and
// release. Slots have an atomic state; a thread-local hint gives a thread
// back its last connection with one compare-and-swap; waiters queue FIFO,
// each with its own condition variable and deadline.
//
// Fairness is bounded barging. Normal mode: a released connection becomes
// idle (any running thread may take it) and the oldest waiter, unless it is
// already awake, is woken to look for it; if it finds nothing it sleeps again
// at the head of the queue. Only the oldest waiter ever looks, so waiters
// never overtake each other. Starvation mode (starving_): set by a waiter
// that has waited handoff_after, cleared when the oldest remaining waiter is
// younger than that; releases then hand connections directly to the oldest
// waiter and nobody barges. handoff_after 0 keeps the pool in starvation mode.
#include <algorithm>
#include <climits>
#include <mutex>
#include <thread>
#include <vector>

#include <pothos/errors.hpp>

#include "conninfo.hpp"
#include "pool_core.hpp"

namespace pothos {
namespace detail {
namespace {

struct Hint {
    std::uint64_t pool = 0;
    std::uint32_t slot = 0;
};

// Per thread: the connection to try first, and the pool this thread is
// releasing a connection to right now (close() waits until no thread is).
struct ThreadState {
    Hint hint;
    std::atomic<PoolCore*> releasing{nullptr};
    bool registered = false;
};
// initial-exec: no __tls_get_addr call on the fast path (the library is
// linked at program start, never dlopen'ed late).
thread_local ThreadState tl __attribute__((tls_model("initial-exec")));

// Every thread that has released a connection, for close(). Never
// destroyed: threads may exit after static destruction began.
std::mutex& registry_mutex() {
    static auto* mu = new std::mutex;
    return *mu;
}
std::vector<ThreadState*>& registry() {
    static auto* threads = new std::vector<ThreadState*>;
    return *threads;
}

struct Registration {
    Registration() {
        std::lock_guard<std::mutex> lk(registry_mutex());
        registry().push_back(&tl);
    }
    ~Registration() {
        std::lock_guard<std::mutex> lk(registry_mutex());
        auto& r = registry();
        r.erase(std::find(r.begin(), r.end(), &tl));
    }
};

[[gnu::noinline]] void register_thread() {
    thread_local Registration registration;
    tl.registered = true;
}

template <class A>
void bump(A& counter) noexcept {  // single writer (the slot's owner)
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

std::int64_t steady_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

}  // namespace

Connection& PoolCore::connection(std::uint32_t index) noexcept { return *slots_[index].conn; }

// The fast path: the calling thread's last connection, idle and recently
// used, with one compare-and-swap and no clock read. budget() makes the
// deadline only when the slow path needs it.
template <class MakeBudget>
inline Lease PoolCore::acquire_with(const MakeBudget& budget, const char* file, int line) {
    const Hint h = tl.hint;
    // With waiters queued the fast path may still barge, except in starvation mode.
    if (h.pool == id_ && (waiter_count_.load(std::memory_order_relaxed) == 0 ||
                          !starving_.load(std::memory_order_relaxed))) {
        Slot& s = slots_[h.slot];
        int expect = kIdle;
        if (s.state.compare_exchange_strong(expect, kInUse, std::memory_order_acquire,
                                            std::memory_order_relaxed)) {
            const std::int64_t now = now_ns_.load(std::memory_order_relaxed);
            if (s.expires_at > now && s.generation == generation() &&
                now - s.idle_since.load(std::memory_order_relaxed) < validation_ns_) {
                bump(s.acquires);
                if (track_leases_ || observer_) stamp(h.slot, file, line, {}, false);
                return Lease(this, h.slot);
            }
            return acquire_checked(h.slot, budget(), file, line);
        }
    }
    const auto start = Clock::now();
    const AcquireBudget b = budget();
    return acquire_slow(start, b.deadline(start), b, file, line);
}

Lease PoolCore::acquire(Millis timeout, const char* file, int line) {
    return acquire_with([timeout] { return AcquireBudget{std::nullopt, timeout, "acquire_timeout", timeout}; },
                        file, line);
}

Lease PoolCore::acquire(const AcquireBudget& budget, const char* file, int line) {
    return acquire_with([&budget] { return budget; }, file, line);
}

// The caller owns the slot, which needs a check (lifetime, eviction,
// validation). One deadline from here on: validation, retries and waiting
// share it.
Lease PoolCore::acquire_checked(std::uint32_t index, const AcquireBudget& budget, const char* file,
                                int line) {
    const auto start = Clock::now();
    const auto deadline = budget.deadline(start);
    if (checkout(index, deadline)) {
        bump(slots_[index].acquires);
        stamp(index, file, line, start, false);
        return Lease(this, index);
    }
    return acquire_slow(start, deadline, budget, file, line);
}

// Leak detection and the observer's clock (the acquisition count is bumped
// by the caller).
void PoolCore::stamp(std::uint32_t index, const char* file, int line, Clock::time_point start,
                     bool waited) noexcept {
    Slot& s = slots_[index];
    if (track_leases_) {
        // A lease reported as a leak has come back (and the housekeeper
        // did not notice before the connection was leased again).
        if (s.leak_warned.load(std::memory_order_relaxed))
            leak_returned(index, s.idle_since.load(std::memory_order_relaxed));
        s.leased_at.store(now_ns_.load(std::memory_order_relaxed), std::memory_order_relaxed);
        s.lease_file.store(file, std::memory_order_relaxed);
        s.lease_line.store(line, std::memory_order_relaxed);
        s.leak_warned.store(false, std::memory_order_relaxed);
    }
    if (observer_) {
        s.acquired_ns = steady_ns();
        const auto from = std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch());
        observer_->on_acquire(opt_.name, waited ? std::chrono::nanoseconds(s.acquired_ns) - from
                                                : std::chrono::nanoseconds(0));
    }
}

// The caller owns the slot. False when the connection had to be destroyed.
bool PoolCore::checkout(std::uint32_t index, Clock::time_point deadline) noexcept {
    Slot& s = slots_[index];
    const std::int64_t now = now_ns_.load(std::memory_order_relaxed);
    if (s.expires_at <= now) {
        destroy(index, "max_lifetime reached");
        return false;
    }
    if (s.generation != generation()) {
        destroy(index, "evicted");
        return false;
    }
    if (now - s.idle_since.load(std::memory_order_relaxed) >= validation_ns_) {
        // A validation may use validation_timeout, never more than the time left.
        const auto until = std::min(deadline, Clock::now() + opt_.validation_timeout);
        if (!s.conn->ping(Deadline(until, "validation_timeout", opt_.validation_timeout))) {
            {
                std::lock_guard<std::mutex> lk(mu_);
                ++invalid_;
            }
            destroy(index, "validation failed (no answer within validation_timeout or the time left)");
            return false;
        }
        s.idle_since.store(now_ns_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    }
    return true;
}

long PoolCore::claim_idle_locked() noexcept {
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

// mu_ held: the calling thread leaves acquire_slow (close() waits for that).
void PoolCore::leave_locked() noexcept {
    --callers_inside_;
    if (stopping_) callers_cv_.notify_all();
}

// w: the caller's place in the queue, if it has one (counted as pending).
void PoolCore::timed_out(std::unique_lock<std::mutex>& lk, Waiter* w, const AcquireBudget& budget) {
    PoolStats st = stats_locked();
    if (w) remove_waiter_locked(w);
    ++timeouts_;
    st.total_timeouts = timeouts_;
    std::string last = last_create_error_;
    leave_locked();
    lk.unlock();
    log_->debug("db:pool", opt_.name + ": acquire timed out (" + budget.name + ")");
    if (observer_) observer_->on_timeout(opt_.name, budget.name);
    throw PoolTimeoutError(opt_.name, budget.name, budget.value, st, last);
}

Lease PoolCore::acquire_slow(Clock::time_point start, Clock::time_point deadline,
                             const AcquireBudget& budget, const char* file, int line) {
    for (bool first = true;; first = false) {
        std::unique_lock<std::mutex> lk(mu_);
        if (stopping_) throw PoolClosingError("pool " + opt_.name + " is closing");
        ++callers_inside_;
        // The time went on a connection that failed its checkout: report it
        // rather than validate another one with no time left.
        if (!first && Clock::now() >= deadline) timed_out(lk, nullptr, budget);
        // A running thread may take an idle connection ahead of the queued
        // waiters (barging), but not in starvation mode.
        long index = waiters_.empty() || !starving_.load(std::memory_order_relaxed)
                         ? claim_idle_locked()
                         : -1;
        bool waited = false;
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
                waited = true;
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
                    if (now >= deadline) timed_out(lk, &w, budget);
                    auto until = deadline;
                    if (now < starve_at)
                        until = std::min(until, starve_at);  // wake once to start starvation mode
                    else if (!starving_.load(std::memory_order_relaxed))
                        starving_.store(true, std::memory_order_seq_cst);  // the head is older still
                    w.cv.wait_until(lk, until);
                }
                if (w.error) {
                    leave_locked();
                    std::rethrow_exception(w.error);
                }
                if (w.done) index = w.slot;
                ++waits_;
                wait_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() -
                                                                                 start)
                                .count();
            }
        }
        lk.unlock();
        const bool ok = checkout(static_cast<std::uint32_t>(index), deadline);
        lk.lock();
        leave_locked();
        lk.unlock();
        if (ok) {
            bump(slots_[index].acquires);
            stamp(static_cast<std::uint32_t>(index), file, line, start, waited);
            return Lease(this, static_cast<std::uint32_t>(index));
        }
    }
}

void PoolCore::release(std::uint32_t index) noexcept {
    Slot& s = slots_[index];
    // Announce the release, then look at the closing bit: close() does the
    // reverse (asymmetric_barrier.hpp), so either we see the bit or it waits
    // until we are done.
    if (!tl.registered) register_thread();
    tl.releasing.store(this, std::memory_order_relaxed);
    if (full_fence_) std::atomic_thread_fence(std::memory_order_seq_cst);
    else std::atomic_signal_fence(std::memory_order_seq_cst);
    bump(s.releases);
    if (observer_) observe_release(s);
    if (s.generation == generation() && s.conn->reusable()) {
        s.idle_since.store(now_ns_.load(std::memory_order_relaxed), std::memory_order_relaxed);
        tl.hint = Hint{id_, index};
        make_available(index);
        tl.releasing.store(nullptr, std::memory_order_release);
        return;
    }
    release_slow(index);
}

// close(): after the heavy barrier, waits until no thread is inside a
// release to this core (one that did not see the closing bit).
void PoolCore::wait_for_releases() noexcept {
    std::lock_guard<std::mutex> lk(registry_mutex());
    for (ThreadState* t : registry())
        while (t->releasing.load(std::memory_order_acquire) == this) std::this_thread::yield();
}

void PoolCore::observe_release(Slot& s) noexcept {
    observer_->on_release(opt_.name, std::chrono::nanoseconds(steady_ns() - s.acquired_ns));
}

void PoolCore::release_slow(std::uint32_t index) noexcept {
    Slot& s = slots_[index];
    if (closing()) {
        tl.releasing.store(nullptr, std::memory_order_release);
        release_closing(index);  // may delete the core
        return;
    }
    if (s.generation != generation()) {
        destroy(index, "evicted");
    } else {
        release_dirty(index);
    }
    tl.releasing.store(nullptr, std::memory_order_release);
}

// A connection that is broken, in a transaction or has session changes.
void PoolCore::release_dirty(std::uint32_t index) noexcept {
    Slot& s = slots_[index];
    Connection& c = *s.conn;
    if (!c.broken() && !c.idle() && !c.in_transaction()) c.mark_broken();  // a statement still running
    if (!c.broken() && (c.in_transaction() || c.session_changes() != 0)) {
        try {
            c.reset(opt_.init_sql, Deadline::after(opt_.destroy_timeout, "destroy_timeout"));
            if (log_->debug_enabled("db:pool"))
                log_->log(LogLevel::debug, "db:pool", opt_.name + ": reset a returned connection");
        } catch (const std::exception& e) {
            log_->log(LogLevel::warn, "db:pool",
                      opt_.name + ": could not reset a returned connection: " + e.what());
            c.mark_broken();
        }
    }
    if (c.broken() || !c.idle()) {
        {
            std::lock_guard<std::mutex> lk(mu_);
            ++invalid_;
        }
        destroy(index, "broken connection evicted");
        return;
    }
    s.idle_since.store(now_ns_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    make_available(index);
}

// The Pool is gone or going: the connection is closed. The release of the
// last lease out when the Pool was destroyed deletes the core.
void PoolCore::release_closing(std::uint32_t index) noexcept {
    Slot& s = slots_[index];
    s.conn.reset();
    bool last = false;
    {
        std::lock_guard<std::mutex> lk(mu_);
        acquires_done_ += s.acquires.exchange(0);
        releases_done_ += s.releases.exchange(0);
        --size_;
        ++destroys_;
        s.state.store(kEmpty, std::memory_order_seq_cst);
        last = orphaned_ && --leased_at_close_ == 0;
    }
    if (last) delete this;
}

// make_available (pool_core.hpp) found a waiter after making the slot idle:
// wake the oldest, or hand the slot over in starvation mode.
void PoolCore::wake_for_idle(std::uint32_t index) noexcept {
    Slot& s = slots_[index];
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
}

// make_available in starvation mode with waiters: the slot goes straight to
// the oldest waiter (or becomes idle if they left meanwhile).
void PoolCore::hand_over_or_idle(std::uint32_t index) noexcept {
    Slot& s = slots_[index];
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
void PoolCore::hand_over_locked(std::uint32_t index) noexcept {
    Waiter* w = waiters_.front();
    slots_[index].state.store(kInUse, std::memory_order_seq_cst);
    remove_waiter_locked(w);
    w->slot = index;
    w->done = true;
    w->cv.notify_one();  // under mu_: w cannot have returned yet
}

// mu_ held, waiters_ not empty: asks the oldest waiter to look for an idle slot.
void PoolCore::wake_head_locked() noexcept {
    Waiter* w = waiters_.front();
    if (w->notified) return;
    w->notified = true;
    wake_pending_.store(true, std::memory_order_seq_cst);
    w->cv.notify_one();
}

// mu_ held. A pending wake of the oldest waiter passes to the next one, so an
// idle slot is never left with every waiter asleep.
void PoolCore::remove_waiter_locked(Waiter* w) noexcept {
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
void PoolCore::update_starving_locked() noexcept {
    if (opt_.handoff_after.count() == 0) return;  // always
    const bool starving =
        !waiters_.empty() && Clock::now() - waiters_.front()->since >= opt_.handoff_after;
    if (starving_.load(std::memory_order_relaxed) != starving)
        starving_.store(starving, std::memory_order_seq_cst);
}

bool PoolCore::any_idle() const noexcept {
    for (std::size_t i = 0; i < opt_.max; ++i)
        if (slots_[i].state.load(std::memory_order_seq_cst) == kIdle) return true;
    return false;
}

}  // namespace detail

// ---- Lease -------------------------------------------------------------

Lease& Lease::operator=(Lease&& o) noexcept {
    if (this != &o) {
        release();
        core_ = o.core_;
        slot_ = o.slot_;
        request_id_ = std::move(o.request_id_);
        o.core_ = nullptr;
    }
    return *this;
}

Connection& Lease::connection() const {
    if (!core_) throw UsageError("lease: no connection (released or moved from)");
    return core_->connection(slot_);
}

void Lease::release() noexcept {
    if (core_) {
        detail::PoolCore* c = core_;
        core_ = nullptr;
        c->release(slot_);
    }
}

// ---- Pool --------------------------------------------------------------

Pool::Pool(PoolOptions options) {
    detail::check_conninfo(options.conninfo, "conninfo");
    core_ = new detail::PoolCore(std::move(options));
    try {
        core_->start();
    } catch (...) {
        delete core_;
        throw;
    }
}

Pool::~Pool() { core_->close(); }

Lease Pool::acquire(const char* file, int line) {
    return core_->acquire(core_->opt_.acquire_timeout, file, line);
}

Lease Pool::acquire(Millis timeout, const char* file, int line) {
    return core_->acquire(timeout, file, line);
}

Lease Pool::acquire(const Deadline& d, const char* file, int line) {
    if (!d.at) return acquire(file, line);
    return core_->acquire({d.at, Millis(0), d.limit, d.budget}, file, line);
}

PoolStats Pool::stats() const { return core_->stats(); }
const PoolOptions& Pool::options() const noexcept { return core_->opt_; }
bool Pool::wait_for_min(Millis timeout) { return core_->wait_for_min(timeout); }
void Pool::evict_all() { core_->evict_all(); }

}  // namespace pothos
