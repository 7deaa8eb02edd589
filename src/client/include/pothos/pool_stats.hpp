// A snapshot of a connection pool's state and counters.
//
// Thread safety: a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pothos {

struct PoolStats {
    std::size_t size = 0;       // live connections (available + borrowed + being checked)
    std::size_t available = 0;  // idle, ready to hand out
    std::size_t borrowed = 0;   // leased to callers
    std::size_t invalid = 0;    // connections found broken and evicted since the start
    std::size_t pending = 0;    // callers waiting for a connection
    std::size_t pending_creates = 0;
    std::size_t max = 0;
    std::size_t min = 0;
    std::uint64_t total_acquires = 0;
    std::uint64_t total_releases = 0;
    std::uint64_t total_creates = 0;
    std::uint64_t total_destroys = 0;
    std::uint64_t total_timeouts = 0;    // acquire() calls that gave up
    double average_acquire_time_ms = 0;  // immediate acquisitions count as 0
    double average_create_time_ms = 0;

    std::string to_string() const;
};

}  // namespace pothos
