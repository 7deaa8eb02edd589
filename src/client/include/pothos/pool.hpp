// A connection pool with tarn.js semantics: FIFO waiters with their own
// deadlines, most-recently-used reuse, connections created off the caller's
// path by worker threads (several at once, up to max_parallel_creates), a
// housekeeping thread that never waits on the network (it keeps the pool's
// clock, reports leaks and retires idle or expired connections; health
// checks run on the workers), eviction of broken connections, and a reset
// of the session on release (reset.hpp).
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
//
// Deadlines: acquire() has one deadline for everything it does — waiting,
// validating an idle connection (a ping bounded by validation_timeout and
// the time left; a connection that does not answer is dropped, not
// cancelled), and trying the next connection with the time that remains.
//
// Thread safety: Pool is thread-safe. A Lease is not (one thread at a time;
// it may move between threads). Destroying the pool releases waiting callers
// with PoolClosingError and closes idle connections; leases still out stay
// valid, and their connections are closed when they are released.
#pragma once

#include <cstdint>
#include <string>

#include <pothos/connection.hpp>
#include <pothos/deadline.hpp>
#include <pothos/pool_options.hpp>
#include <pothos/pool_stats.hpp>

namespace pothos {

namespace detail {
struct PoolCore;
}

// RAII lease of one pooled connection; given back on destruction.
class Lease {
public:
    Lease() = default;
    Lease(Lease&& o) noexcept : core_(o.core_), slot_(o.slot_), request_id_(std::move(o.request_id_)) {
        o.core_ = nullptr;
    }
    Lease& operator=(Lease&& o) noexcept;
    ~Lease() { release(); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    explicit operator bool() const noexcept { return core_ != nullptr; }
    Connection& connection() const;  // UsageError when released or moved from
    Connection* operator->() const { return &connection(); }
    void release() noexcept;

    // The request id that statements run on this lease are tagged with.
    void set_request_id(std::string id) { request_id_ = std::move(id); }
    const std::string& request_id() const noexcept { return request_id_; }

private:
    friend struct detail::PoolCore;
    Lease(detail::PoolCore* core, std::uint32_t slot) : core_(core), slot_(slot) {}
    detail::PoolCore* core_ = nullptr;
    std::uint32_t slot_ = 0;
    std::string request_id_;
};

class Pool {
public:
    // Throws ConfigError for a conninfo libpq cannot parse (variable "conninfo")
    // or inconsistent options.
    explicit Pool(PoolOptions options);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // Waits at most acquire_timeout, or timeout, or until deadline (whose
    // limit name and value the PoolTimeoutError reports). Throws
    // PoolTimeoutError, PoolClosingError, or with propagate_create_error the
    // ConnectionError of a failed create.
    Lease acquire(const char* file = __builtin_FILE(), int line = __builtin_LINE());
    Lease acquire(Millis timeout, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE());
    Lease acquire(const Deadline& deadline, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE());

    PoolStats stats() const;
    const PoolOptions& options() const noexcept;
    // Blocks until at least min connections are open (or timeout passes).
    bool wait_for_min(Millis timeout);
    // Retires every connection open now (failover, credential rotation):
    // idle ones are closed at once, leased ones when they are released; none
    // is handed out again. New connections are made as needed.
    void evict_all();

private:
    detail::PoolCore* core_;
};

}  // namespace pothos
