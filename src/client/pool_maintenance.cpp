// The pool's own threads and life cycle: the housekeeper (clock, leak
// reports, idle and lifetime retirement, health-check scheduling), the
// workers (connection attempts and health-check pings, several at once),
// eviction, statistics, and closing.
//
// The housekeeper never waits on the network, so a connection attempt that
// hangs until create_timeout delays neither a leak report nor the clock.
#include <time.h>

#include <algorithm>
#include <climits>
#include <random>

#include <pothos/errors.hpp>

#include "asymmetric_barrier.hpp"
#include "pool_core.hpp"

namespace pothos::detail {
namespace {

std::atomic<std::uint64_t> next_pool_id{1};
constexpr auto kTick = std::chrono::milliseconds(10);

std::string ms_text(std::int64_t ns) { return std::to_string(ns / 1000000) + " ms"; }

}  // namespace

std::int64_t coarse_ns() noexcept {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

PoolCore::PoolCore(PoolOptions options)
    : observer_(options.observer.get()),
      validation_ns_(to_ns(options.validation_threshold)),
      track_leases_(options.leak_detection_threshold.count() > 0),
      full_fence_(false),
      id_(next_pool_id.fetch_add(1)),
      slots_(nullptr),
      opt_(std::move(options)),
      log_(opt_.logger ? opt_.logger : std::make_shared<Logger>()) {
    if (opt_.max == 0) throw ConfigError("max", "pool max must be at least 1");
    if (opt_.min > opt_.max) throw ConfigError("min", "pool min exceeds max");
    if (opt_.max_parallel_creates == 0) opt_.max_parallel_creates = 1;
    if (opt_.handoff_after.count() < 0) opt_.handoff_after = Millis(0);
    init_asymmetric_barrier();
    full_fence_ = !membarrier_ready.load();
    slot_storage_.reset(new Slot[opt_.max]);
    slots_ = slot_storage_.get();
    now_ns_.store(coarse_ns());
    starving_.store(opt_.handoff_after.count() == 0);
}

PoolCore::~PoolCore() = default;

void PoolCore::start() {
    housekeeper_ = std::thread([this] { run_housekeeper(); });
    std::lock_guard<std::mutex> lk(mu_);
    request_creates_locked();
}

// ---- closing -------------------------------------------------------------

void PoolCore::close() noexcept {
    std::unique_lock<std::mutex> lk(mu_);
    stopping_ = true;
    generation_.fetch_or(kClosingBit, std::memory_order_seq_cst);
    while (!waiters_.empty()) {
        Waiter* w = waiters_.front();
        waiters_.pop_front();
        waiter_count_.fetch_sub(1);
        w->notified = false;
        w->error = std::make_exception_ptr(PoolClosingError("pool " + opt_.name + " is closing"));
        w->done = true;
        w->cv.notify_one();
    }
    wake_pending_.store(false);
    min_cv_.notify_all();
    housekeeper_cv_.notify_all();
    work_cv_.notify_all();
    // Callers still inside acquire() (woken above, or validating a
    // connection) leave before anything is torn down.
    callers_cv_.wait(lk, [&] { return callers_inside_ == 0; });
    lk.unlock();
    if (housekeeper_.joinable()) housekeeper_.join();
    for (auto& t : workers_) t.join();
    // Only leases touch the core now. A release that did not see
    // kClosingBit has announced itself in its thread's state: wait for it to
    // finish. Any later release sees the bit and closes its connection itself.
    heavy_barrier();
    wait_for_releases();
    // Idle (and still reserved) connections close here; leased ones when
    // their lease ends.
    std::vector<std::unique_ptr<Connection>> closing;
    lk.lock();
    std::size_t leased = 0;
    for (std::size_t i = 0; i < opt_.max; ++i) {
        Slot& s = slots_[i];
        const int state = s.state.load();
        if (state == kIdle || state == kReserved) {
            closing.push_back(std::move(s.conn));
            s.state.store(kEmpty);
        } else if (state == kInUse) {
            ++leased;
        }
    }
    health_queue_.clear();
    leased_at_close_ = leased;
    orphaned_ = leased > 0;
    lk.unlock();
    closing.clear();
    if (leased == 0) delete this;
}

// ---- creation ------------------------------------------------------------

std::int64_t PoolCore::lifetime_ns() const {
    if (opt_.max_lifetime.count() <= 0) return LLONG_MAX;
    // Up to 2.5 % less, so connections created together do not expire together.
    thread_local std::minstd_rand rng(std::random_device{}());
    const std::int64_t full = to_ns(opt_.max_lifetime);
    return now_ns_.load() + full - static_cast<std::int64_t>(full * 0.025 * (rng() % 1000) / 1000.0);
}

void PoolCore::request_creates_locked() noexcept {
    if (stopping_) return;
    const std::size_t open = size_ + pending_creates_;
    std::size_t need = 0;
    if (waiters_.size() > pending_creates_) need = waiters_.size() - pending_creates_;
    if (opt_.min > open) need = std::max(need, opt_.min - open);
    need = std::min(need, opt_.max > open ? opt_.max - open : 0);
    if (need > 0) {
        pending_creates_ += need;
        ensure_workers_locked();
        work_cv_.notify_all();
    }
}

// mu_ held: enough workers for the queued work, up to max_parallel_creates.
void PoolCore::ensure_workers_locked() noexcept {
    if (stopping_) return;
    const std::size_t want =
        std::min(opt_.max_parallel_creates, pending_creates_ + health_queue_.size());
    while (workers_.size() < want) {
        try {
            workers_.emplace_back([this] { run_worker(); });
        } catch (const std::exception& e) {
            log_->log(LogLevel::error, "db:pool",
                      opt_.name + ": could not start a worker thread: " + e.what());
            return;
        }
    }
}

void PoolCore::run_worker() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!stopping_) {
        if (!health_queue_.empty()) {
            const std::uint32_t index = health_queue_.front();
            health_queue_.pop_front();
            lk.unlock();
            health_check(index);
            lk.lock();
        } else if (pending_creates_ > creating_ && Clock::now() >= retry_creates_at_) {
            create_one(lk);
        } else if (pending_creates_ > creating_) {
            work_cv_.wait_until(lk, retry_creates_at_);
        } else {
            work_cv_.wait(lk);
        }
    }
}

// mu_ held on entry and exit; released while connecting.
void PoolCore::create_one(std::unique_lock<std::mutex>& lk) {
    ++creating_;
    lk.unlock();
    const auto t0 = Clock::now();
    std::unique_ptr<Connection> conn;
    std::exception_ptr error;
    std::string message;
    try {
        conn = Connection::open(opt_.conninfo, opt_.create_timeout, opt_.max_prepared_statements);
        conn->set_cancel_timeout(opt_.cancel_timeout);
        conn->set_reset_mode(opt_.reset);
        if (!opt_.init_sql.empty())
            conn->exec_internal(opt_.init_sql,
                                Deadline(t0 + opt_.create_timeout, "create_timeout", opt_.create_timeout));
    } catch (const std::exception& e) {
        conn.reset();
        error = std::current_exception();
        message = e.what();
    }
    const auto took = Clock::now() - t0;
    if (observer_) observer_->on_create(opt_.name, took, conn != nullptr);
    lk.lock();
    --creating_;
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
        s.generation = generation();
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

// ---- destruction, eviction -------------------------------------------------

// The caller owns the slot (in use or reserved).
void PoolCore::destroy(std::uint32_t index, const char* why) noexcept {
    Slot& s = slots_[index];
    if (s.leak_warned.load(std::memory_order_relaxed))
        leak_returned(index, now_ns_.load(std::memory_order_relaxed));
    const int pid = s.conn ? s.conn->backend_pid() : 0;
    s.conn.reset();
    {
        std::lock_guard<std::mutex> lk(mu_);
        acquires_done_ += s.acquires.exchange(0);
        releases_done_ += s.releases.exchange(0);
        --size_;
        ++destroys_;
        s.expires_at = 0;
        s.state.store(kEmpty, std::memory_order_seq_cst);
        request_creates_locked();
    }
    if (observer_) observer_->on_destroy(opt_.name, why);
    if (log_->debug_enabled("db:pool"))
        log_->log(LogLevel::debug, "db:pool",
                  opt_.name + ": destroyed connection (backend " + std::to_string(pid) + "): " + why);
}

void PoolCore::evict_all() {
    generation_.fetch_add(1, std::memory_order_seq_cst);
    for (std::uint32_t i = 0; i < opt_.max; ++i) {
        int expect = kIdle;
        if (slots_[i].state.compare_exchange_strong(expect, kReserved, std::memory_order_acq_rel))
            destroy(i, "evicted");
    }
    log_->debug("db:pool", opt_.name + ": evicted all connections; leased ones close when released");
}

// ---- housekeeping ----------------------------------------------------------

void PoolCore::run_housekeeper() {
    std::unique_lock<std::mutex> lk(mu_);
    auto next_reap = Clock::now() + opt_.reap_interval;
    while (!stopping_) {
        now_ns_.store(coarse_ns(), std::memory_order_relaxed);
        const auto now = Clock::now();
        if (now >= next_reap) {
            reap(lk);
            next_reap = Clock::now() + opt_.reap_interval;
            continue;
        }
        housekeeper_cv_.wait_until(lk, std::min(next_reap, now + kTick));
    }
}

void PoolCore::leak_check(std::uint32_t index, std::int64_t now) noexcept {
    Slot& s = slots_[index];
    const auto held = now - s.leased_at.load(std::memory_order_relaxed);
    if (held <= to_ns(opt_.leak_detection_threshold) || s.leak_warned.exchange(true)) return;
    const char* f = s.lease_file.load(std::memory_order_relaxed);
    log_->log(LogLevel::warn, "db:pool",
              opt_.name + ": possible connection leak: lease taken at " + (f ? f : "?") + ":" +
                  std::to_string(s.lease_line.load(std::memory_order_relaxed)) + " held for " +
                  ms_text(held) + " (leak_detection_threshold " +
                  std::to_string(opt_.leak_detection_threshold.count()) + " ms)");
}

// A lease that was reported as a possible leak has been returned: noticed by
// the housekeeper, or by the next lease of the connection, whichever comes
// first. The slot is owned by the caller (reserved or just leased).
void PoolCore::leak_returned(std::uint32_t index, std::int64_t returned_ns) noexcept {
    Slot& s = slots_[index];
    const char* f = s.lease_file.load(std::memory_order_relaxed);
    log_->log(LogLevel::info, "db:pool",
              opt_.name + ": connection reported as a possible leak was returned after " +
                  ms_text(returned_ns - s.leased_at.load(std::memory_order_relaxed)) +
                  " (lease taken at " + (f ? f : "?") + ":" +
                  std::to_string(s.lease_line.load(std::memory_order_relaxed)) + ")");
    s.leak_warned.store(false, std::memory_order_relaxed);
}

// mu_ held on entry and exit; released while scanning. No network I/O here:
// health checks are queued for the workers.
void PoolCore::reap(std::unique_lock<std::mutex>& lk) {
    lk.unlock();
    const std::int64_t now = now_ns_.load();
    const bool leaks = opt_.leak_detection_threshold.count() > 0;
    const std::int64_t health = opt_.enable_health_check ? to_ns(opt_.health_check_interval) : 0;
    std::vector<std::uint32_t> to_check;
    for (std::uint32_t i = 0; i < opt_.max; ++i) {
        Slot& s = slots_[i];
        const int state = s.state.load(std::memory_order_acquire);
        if (state == kInUse && leaks) leak_check(i, now);
        if (state != kIdle) continue;
        int expect = kIdle;
        if (!s.state.compare_exchange_strong(expect, kReserved, std::memory_order_acq_rel)) continue;
        if (leaks && s.leak_warned.load(std::memory_order_relaxed))
            leak_returned(i, s.idle_since.load(std::memory_order_relaxed));
        if (s.expires_at <= now) {
            destroy(i, "max_lifetime reached");
            continue;
        }
        if (s.generation != generation()) {
            destroy(i, "evicted");
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
            to_check.push_back(i);  // stays reserved until a worker has pinged it
            continue;
        }
        make_available(i);
    }
    lk.lock();
    if (!to_check.empty()) {
        health_queue_.insert(health_queue_.end(), to_check.begin(), to_check.end());
        ensure_workers_locked();
        work_cv_.notify_all();
    }
    request_creates_locked();
}

void PoolCore::health_check(std::uint32_t index) noexcept {
    Slot& s = slots_[index];
    if (!s.conn->ping(Deadline::after(opt_.validation_timeout, "validation_timeout"))) {
        {
            std::lock_guard<std::mutex> g(mu_);
            ++invalid_;
        }
        destroy(index, "health check failed");
        return;
    }
    make_available(index);
}

// ---- statistics --------------------------------------------------------------

bool PoolCore::wait_for_min(Millis timeout) {
    std::unique_lock<std::mutex> lk(mu_);
    ++callers_inside_;
    const bool ok = min_cv_.wait_for(lk, timeout, [&] { return size_ >= opt_.min || stopping_; });
    leave_locked();
    return ok && !stopping_;
}

PoolStats PoolCore::stats() const {
    std::lock_guard<std::mutex> lk(mu_);
    return stats_locked();
}

PoolStats PoolCore::stats_locked() const {
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
    st.total_timeouts = timeouts_;
    st.average_acquire_time_ms =
        st.total_acquires ? static_cast<double>(wait_ns_) / 1e6 / st.total_acquires : 0;
    st.average_create_time_ms = creates_ ? static_cast<double>(create_ns_) / 1e6 / creates_ : 0;
    return st;
}

}  // namespace pothos::detail
