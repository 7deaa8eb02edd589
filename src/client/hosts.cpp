// Host selection for the read/write split: round robin over the replicas that
// are not marked down; a failed replica is skipped for host_retry_interval.
#include "client_core.hpp"

namespace pothos::detail {
namespace {
std::int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}
}  // namespace

Host* ClientCore::pick_replica() {
    const std::size_t n = replicas.size();
    if (n == 0) return nullptr;
    const std::int64_t now = steady_ns();
    const std::size_t start = next_replica.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i) {
        Host& h = *replicas[(start + i) % n];
        if (h.down_until.load(std::memory_order_relaxed) <= now) return &h;
    }
    return nullptr;
}

void ClientCore::mark_down(Host& h, const std::string& why) {
    h.down_until.store(steady_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                         config.host_retry_interval)
                                         .count(),
                       std::memory_order_relaxed);
    logger->log(LogLevel::warn, "db:pool",
                h.name + " marked down for " + std::to_string(config.host_retry_interval.count()) +
                    " ms: " + why);
}

}  // namespace pothos::detail
