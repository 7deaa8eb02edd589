// membarrier(2) for the asymmetric barrier (see asymmetric_barrier.hpp).
#include "asymmetric_barrier.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pothos::detail {

std::atomic<bool> membarrier_ready{false};

void init_asymmetric_barrier() noexcept {
    static const bool ok = [] {
        const long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
        if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
        return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
    }();
    membarrier_ready.store(ok, std::memory_order_seq_cst);
}

void heavy_barrier() noexcept {
    if (!membarrier_ready.load(std::memory_order_relaxed) ||
        syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
        std::atomic_thread_fence(std::memory_order_seq_cst);
}

}  // namespace pothos::detail
