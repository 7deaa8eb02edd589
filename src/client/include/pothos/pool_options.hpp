// Options of a connection pool. Names and meaning follow tarn.js, plus the
// HikariCP-style lifetime, leak detection, health check and validation knobs.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <pothos/logger.hpp>

namespace pothos {

using Millis = std::chrono::milliseconds;

struct PoolOptions {
    std::string conninfo;  // libpq connection string or URI, checked when the pool is built
    std::size_t min = 0;   // connections kept open even when idle
    std::size_t max = 10;  // upper bound on live connections
    Millis acquire_timeout{30000};  // how long acquire() waits
    Millis create_timeout{30000};   // how long one connection attempt may take
    Millis destroy_timeout{5000};   // bound on cleaning a returned connection (rollback)
    Millis idle_timeout{30000};     // idle connections above min closed after this
    Millis reap_interval{1000};     // how often idle/lifetime/leak checks run
    Millis create_retry_interval{200};  // pause after a failed create before the next
    bool propagate_create_error = false;  // oldest waiter gets a create error at once
    // Fairness: a released connection may be taken back at once by a running
    // thread (barging) while the oldest waiter is woken to try for it; once
    // the oldest waiter has waited longer than this, releases hand
    // connections straight to the oldest waiters. 0 = always hand off (strict
    // first-come-first-served, one context switch per hand-off).
    Millis handoff_after{1};
    Millis max_lifetime{0};         // 0 = unlimited; each connection gets -0..2.5% jitter
    Millis leak_detection_threshold{0};  // 0 = off; warn when a lease is held longer
    Millis health_check_interval{0};     // 0 = off; idle connections pinged this often
    Millis validation_threshold{5000};   // idle longer than this -> validated on acquire
    std::size_t max_prepared_statements = 100;  // per-connection prepared-statement LRU
    std::string name = "primary";        // used in log lines and metrics labels
    std::shared_ptr<Logger> logger;      // default: a Logger reading nothing
};

}  // namespace pothos
