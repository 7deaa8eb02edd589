// A small JSON reader (RFC 8259) for documents the server produces, such as
// EXPLAIN (FORMAT JSON) output. Builds a tree; no PostgreSQL headers.
//
// Nothing here throws except std::bad_alloc; malformed input gives nullopt
// and a message with the byte offset.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pothos::core {

struct JsonValue {
    enum class Kind { Null, Bool, Number, String, Array, Object };

    Kind kind = Kind::Null;
    bool boolean = false;
    double number = 0;
    std::string string;             // Kind::String (UTF-8)
    std::vector<JsonValue> items;   // Kind::Array, and the values of Kind::Object
    std::vector<std::string> keys;  // Kind::Object: keys[i] names items[i]

    JsonValue() = default;
    JsonValue(const JsonValue&) = default;
    JsonValue(JsonValue&&) noexcept = default;
    JsonValue& operator=(const JsonValue&) = default;
    JsonValue& operator=(JsonValue&&) noexcept = default;
    // Without recursion, however deep the value.
    ~JsonValue();

    // The member named `key` of an object (the first if repeated), or nullptr.
    const JsonValue* get(std::string_view key) const;
    // The member as a number / string, if it is one.
    std::optional<double> number_at(std::string_view key) const;
    std::optional<std::string> string_at(std::string_view key) const;
};

// Nesting deeper than this is refused. Reading, walking (explain_json.h)
// and destroying a value do not recurse, so this only bounds the memory a
// document of nested brackets takes; EXPLAIN output of the deepest plan the
// server accepts is far shallower.
constexpr int kMaxJsonDepth = 100000;

// Parses one JSON value (surrounded by optional whitespace). On failure
// returns nullopt and, when `error` is given, sets it to a message such as
// "invalid JSON at byte 17: expected ':'".
std::optional<JsonValue> parse_json(std::string_view text, std::string* error = nullptr);

}  // namespace pothos::core
