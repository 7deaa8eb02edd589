// Internal: an asymmetric memory barrier. The frequent side (a lease's
// release) pays only a compiler fence (std::atomic_signal_fence); the rare
// side (a pool's close) pays a membarrier(2) system call that acts as a
// full barrier on every thread of the process. Together they order "I
// announce myself, then read your flag" on both sides, as a full fence on
// each would. Without membarrier (old kernels, seccomp) membarrier_ready is
// false and the frequent side uses a full fence instead.
#pragma once

#include <atomic>

namespace pothos::detail {

extern std::atomic<bool> membarrier_ready;

// Registers the process for membarrier once, then sets membarrier_ready.
void init_asymmetric_barrier() noexcept;

void heavy_barrier() noexcept;

}  // namespace pothos::detail
