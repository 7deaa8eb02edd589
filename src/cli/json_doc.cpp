#include "json_doc.hpp"

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <stdexcept>

#include "units.hpp"

namespace pothos::cli {

Json json_text(std::string_view s) { return valid_utf8(s); }

Json json_texts(const std::vector<std::string>& items) {
    Json out = Json::array();
    for (const auto& s : items) out.push_back(json_text(s));
    return out;
}

Json json_number(double d) {
    if (!std::isfinite(d)) return nullptr;
    // Below 2^53 a whole double is exactly an integer.
    if (std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) return static_cast<std::int64_t>(d);
    return d;
}

Json json_number(std::optional<double> d) { return d ? json_number(*d) : Json(nullptr); }

Json json_from_server(const std::string& text, const char* what) {
    if (text.empty()) return nullptr;
    try {
        return Json::parse(text);
    } catch (const Json::exception& e) {
        throw std::runtime_error(std::string(what) + " is not valid JSON: " + e.what());
    }
}

std::optional<Json> parse_json(std::string_view text) {
    Json v = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded()) return std::nullopt;
    return v;
}

namespace {

void flatten_into(const Json& v, const std::string& path, std::vector<std::pair<std::string, std::string>>& rows) {
    switch (v.type()) {
        case Json::value_t::object:
            for (const auto& [key, member] : v.items())
                flatten_into(member, path.empty() ? key : path + "." + key, rows);
            return;
        case Json::value_t::array:
            for (std::size_t i = 0; i < v.size(); ++i) flatten_into(v[i], path + "[" + std::to_string(i) + "]", rows);
            return;
        case Json::value_t::string: rows.emplace_back(path, v.get<std::string>()); return;
        case Json::value_t::boolean: rows.emplace_back(path, v.get<bool>() ? "true" : "false"); return;
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
        case Json::value_t::number_float: {
            char buf[40];
            std::snprintf(buf, sizeof buf, "%.10g", v.get<double>());
            std::string unit;
            if (path.size() > 3 && path.compare(path.size() - 3, 3, "_ms") == 0) unit = " ms";
            rows.emplace_back(path, buf + unit);
            return;
        }
        default: rows.emplace_back(path, "null"); return;
    }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> flatten_json(const Json& v) {
    std::vector<std::pair<std::string, std::string>> rows;
    flatten_into(v, "", rows);
    return rows;
}

std::string json_document(const Json& doc) {
    // Strings are valid UTF-8 already (json_text; the reader checks what it
    // reads): the replacement only keeps a slip from throwing.
    return doc.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) + "\n";
}

}  // namespace pothos::cli
