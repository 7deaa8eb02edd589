// The JSON pothos-perf prints (--json) and reads (what the server returns as
// JSON text): nlohmann/json values, with the few conventions of the output.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace pothos::cli {

// Members keep the order they were added in: the output's keys come in the
// documented order, and health()'s members in the order the server gave.
using Json = nlohmann::ordered_json;

// Text as a JSON string, invalid UTF-8 replaced by U+FFFD (valid_utf8).
Json json_text(std::string_view s);
Json json_texts(const std::vector<std::string>& items);
// null when not finite; a whole number is written without a fraction
// (2185, not 2185.0).
Json json_number(double d);
// null when absent.
Json json_number(std::optional<double> d);
// The value of JSON text the server produced (health(), an EXPLAIN plan);
// null for empty text. Throws std::runtime_error naming `what` when the text
// is not JSON.
Json json_from_server(const std::string& text, const char* what);
// JSON text as a value, or nullopt when it is not JSON.
std::optional<Json> parse_json(std::string_view text);

// A JSON value as (path, value) rows, depth first in member order: paths
// like "connections.active" and "reasons[0]", numbers with up to 10
// significant digits and " ms" after members named *_ms. What the text and
// HTML reports show of health().
std::vector<std::pair<std::string, std::string>> flatten_json(const Json& v);

// The document as printed: indented by two spaces, ending in a newline.
std::string json_document(const Json& doc);

}  // namespace pothos::cli
