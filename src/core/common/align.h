// align.h -- rounding sizes up for the layouts of shared-memory tables.
#pragma once

#include <cstddef>

namespace pothos::core {

// n rounded up to a multiple of 8 (what any field of a table entry needs).
constexpr std::size_t align8(std::size_t n) noexcept { return (n + 7) & ~static_cast<std::size_t>(7); }

}  // namespace pothos::core
