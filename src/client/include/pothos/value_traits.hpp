// How C++ values travel to and from PostgreSQL: ValueTraits<T> writes the
// exact text form of a value (to_text) and reads one back (from_text).
//
// Why: a parameter made with std::to_string loses digits (0.1234567891 ->
// "0.123457") and a result read with strtod depends on the C locale. Here
// numbers use std::to_chars / std::from_chars: the shortest text that reads
// back to the same double, no locale, and a value that does not fit the
// target type is a ConversionError instead of a wrap-around.
//
// Provided: std::string, std::string_view (results: a view into the
// Result), const char*, char (one character), bool, every integer and
// floating-point type, Bytes (bytea; sent in binary format), std::vector<T>
// (PostgreSQL arrays, nested for more dimensions, std::optional elements for
// NULLs). std::optional<T> means "or NULL" for parameters and results.
// Specialise ValueTraits<T> for your own types, with
//   static void to_text(const T&, std::string& out);  // append the text form
//   static T from_text(std::string_view text);        // throw ConversionError
// A type may also send itself in binary format: binary_oid (the type's OID)
// and to_binary(const T&) -> std::string, as Bytes does.
//
// Thread safety: stateless functions; safe from any thread.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include <pothos/errors.hpp>

namespace pothos {

// bytea values.
using Bytes = std::vector<std::byte>;

template <class T, class Enable = void>
struct ValueTraits;  // no definition: the type cannot be converted

namespace detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <>
struct is_vector<Bytes> : std::false_type {};  // bytea, not an array

template <class T, class = void>
struct has_binary : std::false_type {};
template <class T>
struct has_binary<T, std::void_t<decltype(ValueTraits<T>::binary_oid)>> : std::true_type {};

[[noreturn]] void conversion_failed(std::string_view text, const char* type);

// Appends one array element: NULL, a nested array, or a quoted value.
template <class T>
void write_element(const T& v, std::string& out);

// Reads an array literal (optionally with a dimension decoration) into a
// vector, recursively for nested vectors.
template <class T>
std::vector<T> read_array(std::string_view& in);
template <class T>
std::vector<T> read_array_text(std::string_view text);

// Reads the hex ("\x0a1b") or escape ("\\012") form of a bytea.
Bytes bytea_from_text(std::string_view text);
void bytea_to_text(const Bytes& b, std::string& out);

bool parse_bool(std::string_view s, bool& out) noexcept;

}  // namespace detail

template <>
struct ValueTraits<std::string> {
    static void to_text(const std::string& v, std::string& out) { out += v; }
    static std::string from_text(std::string_view s) { return std::string(s); }
};

template <>
struct ValueTraits<std::string_view> {
    static void to_text(std::string_view v, std::string& out) { out += v; }
    // A view into the Result it was read from.
    static std::string_view from_text(std::string_view s) { return s; }
};

template <>
struct ValueTraits<const char*> {
    static void to_text(const char* v, std::string& out) { out += v; }
};

template <>
struct ValueTraits<char> {
    static void to_text(char v, std::string& out) { out += v; }
    static char from_text(std::string_view s) {
        if (s.size() != 1) detail::conversion_failed(s, "char");
        return s[0];
    }
};

template <>
struct ValueTraits<bool> {
    static void to_text(bool v, std::string& out) { out += v ? "true" : "false"; }
    static bool from_text(std::string_view s) {
        bool b = false;
        if (!detail::parse_bool(s, b)) detail::conversion_failed(s, "bool");
        return b;
    }
};

// Integers other than bool and char: decimal, range-checked.
template <class T>
struct ValueTraits<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                       !std::is_same_v<T, char>>> {
    static void to_text(T v, std::string& out) {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, r.ptr);
    }
    static T from_text(std::string_view s) {
        const char* first = s.data();
        const char* last = s.data() + s.size();
        if (first != last && *first == '+') ++first;  // from_chars takes no '+'
        T v{};
        auto r = std::from_chars(first, last, v);
        if (r.ec == std::errc::result_out_of_range)
            detail::conversion_failed(s, "an integer of this width (out of range)");
        if (first == last || *first == '+' || (first != s.data() && *first == '-') ||
            r.ec != std::errc() || r.ptr != last)
            detail::conversion_failed(s, "an integer");
        return v;
    }
};

// float, double, long double: shortest round-trip text; NaN and infinities
// in PostgreSQL's spelling.
template <class T>
struct ValueTraits<T, std::enable_if_t<std::is_floating_point_v<T>>> {
    static void to_text(T v, std::string& out) {
        if (std::isnan(v)) {
            out += "NaN";
        } else if (std::isinf(v)) {
            out += v < 0 ? "-Infinity" : "Infinity";
        } else {
            char buf[64];
            auto r = std::to_chars(buf, buf + sizeof buf, v);
            out.append(buf, r.ptr);
        }
    }
    static T from_text(std::string_view s) {
        if (s == "NaN") return std::numeric_limits<T>::quiet_NaN();
        if (s == "Infinity") return std::numeric_limits<T>::infinity();
        if (s == "-Infinity") return -std::numeric_limits<T>::infinity();
        T v{};
        auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (r.ec == std::errc::result_out_of_range)
            detail::conversion_failed(s, "a floating-point number of this width (out of range)");
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty())
            detail::conversion_failed(s, "a floating-point number");
        return v;
    }
};

// bytea: sent in binary format (no escaping, any byte); read from the text
// form the server sends (hex or escape).
template <>
struct ValueTraits<Bytes> {
    static constexpr unsigned binary_oid = 17;  // bytea
    static std::string to_binary(const Bytes& v) {
        return std::string(reinterpret_cast<const char*>(v.data()), v.size());
    }
    static void to_text(const Bytes& v, std::string& out) { detail::bytea_to_text(v, out); }
    static Bytes from_text(std::string_view s) { return detail::bytea_from_text(s); }
};

// PostgreSQL arrays: {1,2,3}, {"a","b \"c\""}, {{1,2},{3,4}}, {NULL,"x"}.
template <class T>
struct ValueTraits<std::vector<T>, std::enable_if_t<detail::is_vector<std::vector<T>>::value>> {
    static void to_text(const std::vector<T>& v, std::string& out) {
        out += '{';
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ',';
            detail::write_element(v[i], out);
        }
        out += '}';
    }
    static std::vector<T> from_text(std::string_view s) { return detail::read_array_text<T>(s); }
};

namespace detail {

template <class T>
void write_element(const T& v, std::string& out) {
    if constexpr (is_optional<T>::value) {
        if (!v) out += "NULL";
        else write_element(*v, out);
    } else if constexpr (is_vector<T>::value) {
        ValueTraits<T>::to_text(v, out);
    } else {
        std::string text;
        ValueTraits<T>::to_text(v, text);
        out += '"';
        for (char c : text) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
}

// One element of an array literal at the start of in: (quoted?, unescaped
// text), or nullopt for an unquoted NULL. Advances in past the element.
std::optional<std::string> read_scalar_element(std::string_view& in);
void expect_char(std::string_view& in, char c);
bool next_element(std::string_view& in);  // after an element: true on ',', false on '}'
void skip_dimensions(std::string_view& in);

template <class T>
T read_element(std::string_view& in) {
    if constexpr (is_optional<T>::value) {
        using U = typename T::value_type;
        if constexpr (is_vector<U>::value) {
            if (!in.empty() && in[0] == '{') return read_array<typename U::value_type>(in);
        }
        auto s = read_scalar_element(in);
        if (!s) return std::nullopt;
        if constexpr (is_vector<U>::value) conversion_failed(*s, "an array");
        else return ValueTraits<U>::from_text(*s);
    } else if constexpr (is_vector<T>::value) {
        return read_array<typename T::value_type>(in);
    } else {
        static_assert(!std::is_same_v<T, std::string_view>,
                      "array elements cannot be string_view: use std::string");
        auto s = read_scalar_element(in);
        if (!s) conversion_failed("NULL", "a non-optional array element (use std::optional)");
        return ValueTraits<T>::from_text(*s);
    }
}

template <class T>
std::vector<T> read_array(std::string_view& in) {
    std::vector<T> out;
    expect_char(in, '{');
    if (!in.empty() && in[0] == '}') {
        in.remove_prefix(1);
        return out;
    }
    do out.push_back(read_element<T>(in));
    while (next_element(in));
    return out;
}

template <class T>
std::vector<T> read_array_text(std::string_view text) {
    std::string_view in = text;
    skip_dimensions(in);
    auto v = read_array<T>(in);
    if (!in.empty()) conversion_failed(text, "an array");
    return v;
}

}  // namespace detail
}  // namespace pothos
