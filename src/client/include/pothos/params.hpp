// Statement parameters, built from ordinary C++ values by params(...).
//
// A Param is NULL, a text value or a binary value, always with its length
// (no value is cut at a NUL byte). The text of a value comes from
// ValueTraits<T> (value_traits.hpp): exact numbers, arrays, std::optional
// for NULL; bytea (Bytes) goes in binary format with its type, so any byte
// arrives as sent. A text value containing a NUL byte is refused with a
// UsageError (PostgreSQL text cannot hold one) instead of being truncated.
//
// Thread safety: plain values; copies are independent.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <pothos/value_traits.hpp>

namespace pothos {

class Param {
public:
    Param() noexcept = default;  // NULL
    Param(std::nullopt_t) noexcept {}
    Param(std::nullptr_t) noexcept {}
    Param(std::string text) { *this = Param::text(std::move(text)); }
    Param(const char* text) {
        if (text) *this = Param::text(text);
    }

    // A text-format value; the server infers its type from the statement.
    static Param text(std::string value);
    // A binary-format value of the given type OID (e.g. 17 for bytea).
    static Param binary(std::string bytes, unsigned type_oid);

    bool is_null() const noexcept { return !present_; }
    bool is_binary() const noexcept { return binary_; }
    unsigned type() const noexcept { return type_; }  // 0: inferred by the server
    const std::string& data() const noexcept { return data_; }

    friend bool operator==(const Param& a, const Param& b) noexcept {
        return a.present_ == b.present_ && a.binary_ == b.binary_ && a.type_ == b.type_ &&
               a.data_ == b.data_;
    }
    friend bool operator!=(const Param& a, const Param& b) noexcept { return !(a == b); }

private:
    std::string data_;
    unsigned type_ = 0;
    bool present_ = false;
    bool binary_ = false;
};

using Params = std::vector<Param>;

// The parameter for one value: NULL for nullptr, std::nullopt or an empty
// std::optional; binary for types with a binary form; text otherwise.
template <class T>
Param to_param(const T& v) {
    using D = std::decay_t<T>;
    if constexpr (std::is_same_v<D, Param>) {
        return v;
    } else if constexpr (std::is_same_v<D, std::nullopt_t> || std::is_same_v<D, std::nullptr_t>) {
        return Param();
    } else if constexpr (detail::is_optional<D>::value) {
        return v ? to_param(*v) : Param();
    } else if constexpr (std::is_same_v<D, const char*> || std::is_same_v<D, char*>) {
        return Param(static_cast<const char*>(v));
    } else if constexpr (detail::has_binary<D>::value) {
        return Param::binary(ValueTraits<D>::to_binary(v), ValueTraits<D>::binary_oid);
    } else {
        std::string text;
        ValueTraits<D>::to_text(v, text);
        return Param::text(std::move(text));
    }
}

// params(1, 0.1, "x", std::nullopt, Bytes{...}, std::vector<int>{1, 2})
template <class... A>
Params params(const A&... a) {
    return Params{to_param<std::decay_t<const A>>(a)...};
}

// One statement of a batch.
struct Statement {
    std::string sql;
    Params params;
};

namespace detail {
// An exact, unambiguous encoding of parameters (for cache keys).
void append_key(std::string& out, const Params& params);
}  // namespace detail

}  // namespace pothos
