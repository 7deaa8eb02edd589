// Human-readable numbers with units for the pothos-perf tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pothos::cli {

// A duration given in milliseconds: "850 µs", "12.3 ms", "4.50 s", "2.0 min".
std::string format_ms(double ms);
// A byte count: "512 B", "8.0 kB", "1.5 MB", "2.00 GB".
std::string format_bytes(std::int64_t bytes);
// An integer with thin grouping: 1234567 -> "1,234,567".
std::string format_count(std::int64_t n);
// A percentage given as a percentage (12.345 -> "12.3 %").
std::string format_pct(double pct);
// A ratio in [0,1] as a percentage, "-" when absent.
std::string format_ratio(std::optional<double> ratio);
// s with every byte that is not part of a well-formed UTF-8 sequence
// replaced by U+FFFD (so JSON and XML output stay valid whatever the
// database encoding).
std::string valid_utf8(std::string_view s);
// Display width of UTF-8 text (code points; no wide characters expected).
std::size_t display_width(std::string_view s);
// The text on one line (whitespace runs become one space), cut to `width`
// display columns with a trailing "…" when longer.
std::string one_line(std::string_view s, std::size_t width);
// The text on lines of at most `width` columns (broken at spaces; a longer
// word stays whole), each line starting with `indent` and ending in '\n'.
std::string wrap(std::string_view s, std::size_t width, const std::string& indent);

}  // namespace pothos::cli
