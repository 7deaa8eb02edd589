// Internal: small text helpers shared by the configuration and the logger.
#pragma once

#include <string>
#include <vector>

namespace pothos::detail {

// "a, b,,c " -> {"a", "b", "c"}: comma separated, blanks trimmed, empties dropped.
std::vector<std::string> split_list(const std::string& s);

}  // namespace pothos::detail
