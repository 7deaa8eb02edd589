// Text form of a pool snapshot, used in error messages and logs.
#include <pothos/pool_stats.hpp>

#include <cstdio>

namespace pothos {

std::string PoolStats::to_string() const {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "size=%zu available=%zu borrowed=%zu invalid=%zu pending=%zu "
                  "pending_creates=%zu max=%zu min=%zu total_acquires=%llu total_releases=%llu "
                  "total_creates=%llu total_destroys=%llu total_timeouts=%llu average_acquire_time_ms=%.3f "
                  "average_create_time_ms=%.3f",
                  size, available, borrowed, invalid, pending, pending_creates, max, min,
                  static_cast<unsigned long long>(total_acquires),
                  static_cast<unsigned long long>(total_releases),
                  static_cast<unsigned long long>(total_creates),
                  static_cast<unsigned long long>(total_destroys),
                  static_cast<unsigned long long>(total_timeouts), average_acquire_time_ms,
                  average_create_time_ms);
    return buf;
}

}  // namespace pothos
