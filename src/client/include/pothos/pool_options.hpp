// Options of a connection pool. Names and meaning follow tarn.js, plus the
// HikariCP-style lifetime, leak detection, health check and validation
// knobs, the bounded cancel, and what a returned connection is reset to.
//
// Thread safety: a plain value; a pool copies it at construction.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <pothos/deadline.hpp>
#include <pothos/logger.hpp>
#include <pothos/reset.hpp>

namespace pothos {

class PoolObserver;

struct PoolOptions {
    std::string conninfo;  // libpq connection string or URI, checked when the pool is built
    std::size_t min = 0;   // connections kept open even when idle
    std::size_t max = 10;  // upper bound on live connections
    Millis acquire_timeout{30000};  // how long acquire() waits
    Millis create_timeout{30000};   // how long one connection attempt (and init_sql) may take
    Millis destroy_timeout{5000};   // bound on cleaning a returned connection (rollback, reset)
    Millis idle_timeout{30000};     // idle connections above min closed after this
    Millis reap_interval{1000};     // how often idle/lifetime/leak/health checks run
    Millis create_retry_interval{200};  // pause after a failed create before the next
    std::size_t max_parallel_creates = 4;  // connection attempts under way at once
    bool propagate_create_error = false;  // oldest waiter gets a create error at once
    // Fairness: a released connection may be taken back at once by a running
    // thread (barging) while the oldest waiter is woken to try for it; once
    // the oldest waiter has waited longer than this, releases hand
    // connections straight to the oldest waiters. 0 = always hand off (strict
    // first-come-first-served, one context switch per hand-off).
    Millis handoff_after{1};
    Millis max_lifetime{0};         // 0 = unlimited; each connection gets -0..2.5% jitter
    Millis leak_detection_threshold{0};  // 0 = off; warn when a lease is held longer
    // Idle connections are pinged every health_check_interval while
    // enable_health_check is on (a dead one is dropped and replaced).
    bool enable_health_check = true;
    Millis health_check_interval{30000};
    Millis validation_threshold{5000};   // idle longer than this -> validated on acquire
    Millis validation_timeout{1000};     // bound on one validation or health-check ping
    Millis cancel_timeout{2000};         // bound on a cancel and the server's reply to it
    ResetMode reset = ResetMode::detected;  // what a returned connection is reset to
    std::string init_sql;                // run on each new connection and after each reset
    std::size_t max_prepared_statements = 100;  // per-connection prepared-statement LRU
    std::string name = "primary";        // used in log lines, errors and metrics labels
    std::shared_ptr<Logger> logger;      // default: a Logger reading nothing
    std::shared_ptr<PoolObserver> observer;  // optional: events for an application's metrics
};

}  // namespace pothos
