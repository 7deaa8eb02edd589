// align.h -- rounding sizes up for the layouts of shared-memory tables.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pothos::core {

// n rounded up to a multiple of 8 (what any field of a table entry needs).
constexpr std::size_t align8(std::size_t n) noexcept { return (n + 7) & ~static_cast<std::size_t>(7); }

// A cache line: the unit of the layouts that per-backend writers share.
constexpr std::size_t kCacheLine = 64;

// n rounded up to a multiple of kCacheLine.
constexpr std::size_t align_line(std::size_t n) noexcept { return (n + kCacheLine - 1) & ~(kCacheLine - 1); }

// The first cache-line boundary at or after mem (a block sized with
// kCacheLine bytes to spare holds the layout from there).
inline char* line_aligned(void* mem) noexcept {
    return reinterpret_cast<char*>(align_line(reinterpret_cast<std::uintptr_t>(mem)));
}

}  // namespace pothos::core
