// PoolObserver: a callback interface through which an application feeds a
// pool's events into its own metrics registry (the Client feeds its
// Prometheus metrics through the same interface).
//
// Every method is called on the thread where the event happens — acquire
// and release on the caller's fast path — without any pool lock held, so an
// implementation must be cheap and must not block. With no observer set
// (PoolOptions::observer null) the pool reads no clock for it at all.
//
// Thread safety: implementations must be thread-safe; every pool thread and
// every caller may call them concurrently.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace pothos {

class PoolObserver {
public:
    virtual ~PoolObserver() = default;
    // A lease was handed out after waiting this long (0: served at once).
    virtual void on_acquire(const std::string& pool, std::chrono::nanoseconds waited) noexcept {
        (void)pool, (void)waited;
    }
    // A lease ended after holding its connection this long.
    virtual void on_release(const std::string& pool, std::chrono::nanoseconds held) noexcept {
        (void)pool, (void)held;
    }
    // acquire() gave up: limit names the limit that fired.
    virtual void on_timeout(const std::string& pool, std::string_view limit) noexcept {
        (void)pool, (void)limit;
    }
    // A connection attempt ended (ok: a connection was added).
    virtual void on_create(const std::string& pool, std::chrono::nanoseconds took, bool ok) noexcept {
        (void)pool, (void)took, (void)ok;
    }
    // A connection was closed (idle, lifetime, broken, evicted, ...).
    virtual void on_destroy(const std::string& pool, std::string_view reason) noexcept {
        (void)pool, (void)reason;
    }
};

}  // namespace pothos
