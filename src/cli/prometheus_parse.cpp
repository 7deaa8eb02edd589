#include "prometheus_parse.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "json_doc.hpp"
#include "units.hpp"

namespace pothos::cli {
namespace {

bool name_char(char c, bool first) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
           (!first && std::isdigit(static_cast<unsigned char>(c)));
}

[[noreturn]] void bad(int lineno, const std::string& why) {
    throw std::invalid_argument("metrics line " + std::to_string(lineno) + ": " + why);
}

double parse_value(const std::string& s, int lineno) {
    if (s == "+Inf" || s == "Inf") return HUGE_VAL;
    if (s == "-Inf") return -HUGE_VAL;
    if (s == "NaN") return std::nan("");
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0') bad(lineno, "bad value '" + s + "'");
    return v;
}

}  // namespace

std::vector<MetricSample> parse_prometheus(const std::string& text) {
    std::vector<MetricSample> out;
    std::size_t pos = 0;
    int lineno = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) eol = text.size();
        std::string line = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++lineno;
        if (line.empty() || line[0] == '#') continue;
        MetricSample s;
        std::size_t i = 0;
        while (i < line.size() && name_char(line[i], i == 0)) s.name += line[i++];
        if (s.name.empty()) bad(lineno, "expected a metric name");
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                std::string key;
                while (i < line.size() && name_char(line[i], key.empty())) key += line[i++];
                if (key.empty() || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"')
                    bad(lineno, "bad label");
                i += 2;
                std::string val;
                while (i < line.size() && line[i] != '"') {
                    if (line[i] == '\\' && i + 1 < line.size()) {
                        char n = line[++i];
                        val += n == 'n' ? '\n' : n;
                    } else {
                        val += line[i];
                    }
                    ++i;
                }
                if (i >= line.size()) bad(lineno, "unterminated label value");
                ++i;  // closing quote
                s.labels.emplace_back(key, val);
                if (i < line.size() && line[i] == ',') ++i;
            }
            if (i >= line.size()) bad(lineno, "unterminated label set");
            ++i;  // '}'
        }
        while (i < line.size() && line[i] == ' ') ++i;
        std::size_t vend = line.find(' ', i);
        s.value = parse_value(line.substr(i, vend == std::string::npos ? std::string::npos : vend - i), lineno);
        out.push_back(std::move(s));
    }
    return out;
}

std::string json_metrics(const std::vector<MetricSample>& samples) {
    Json out = Json::array();
    for (const auto& s : samples) {
        Json labels = Json::object();
        for (const auto& [k, v] : s.labels) labels[valid_utf8(k)] = json_text(v);
        out.push_back({{"name", json_text(s.name)}, {"labels", std::move(labels)}, {"value", json_number(s.value)}});
    }
    return json_document({{"samples", std::move(out)}});
}

}  // namespace pothos::cli
