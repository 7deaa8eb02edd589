// Small text helpers shared by the core and the command line. No PostgreSQL
// headers; nothing throws but std::bad_alloc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pothos::core {

// The items with `sep` between them: {"a", "b"}, ", " -> "a, b".
std::string join(const std::vector<std::string>& items, std::string_view sep);

}  // namespace pothos::core
