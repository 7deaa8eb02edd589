// Statement parameters: text values or NULL, built from ordinary C++ values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace pothos {

using Param = std::optional<std::string>;
using Params = std::vector<Param>;

namespace detail {
inline Param to_param(std::nullopt_t) { return std::nullopt; }
inline Param to_param(const char* s) { return s ? Param(s) : std::nullopt; }
inline Param to_param(std::string s) { return Param(std::move(s)); }
inline Param to_param(std::string_view s) { return Param(std::string(s)); }
inline Param to_param(const Param& p) { return p; }
inline Param to_param(bool b) { return Param(b ? "true" : "false"); }
template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
Param to_param(T v) {
    return Param(std::to_string(v));
}
}  // namespace detail

// params(1, "x", std::nullopt) -> {"1", "x", NULL}
template <class... A>
Params params(A&&... a) {
    return Params{detail::to_param(std::forward<A>(a))...};
}

// One statement of a batch.
struct Statement {
    std::string sql;
    Params params;
};

}  // namespace pothos
