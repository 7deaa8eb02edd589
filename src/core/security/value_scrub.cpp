#include "core/security/value_scrub.h"

#include <array>
#include <cstdlib>

#include "core/common/sql_text.h"

namespace pothos::core {

namespace {

using sql::Token;
using sql::TokenKind;

// The expression-valued properties of EXPLAIN (the labels of show_expression,
// show_scan_qual, show_sort_keys and the like).
constexpr std::array<std::string_view, 22> kExpressionLabels = {
    "Output",          "Filter",          "Join Filter",       "One-Time Filter", "Index Cond",
    "Recheck Cond",    "Order By",        "Hash Cond",         "Merge Cond",      "TID Cond",
    "Run Condition",   "Sort Key",        "Presorted Key",     "Group Key",       "Hash Key",
    "Cache Key",       "Sampling",        "Sampling Parameters", "Repeatable Seed", "Function Call",
    "Table Function Call", "Conflict Filter"};

bool is_expression_label(std::string_view label) {
    for (std::string_view l : kExpressionLabels)
        if (l == label) return true;
    return label == "Remote SQL";
}

// Replaces the literals of an expression or statement; `placeholder` empty
// means $n counting up from first_param.
std::string scrub(std::string_view text, std::string_view placeholder, int first_param, bool booleans) {
    std::vector<Token> tokens = sql::tokenize(text);
    std::string out;
    out.reserve(text.size() + 8);
    std::size_t pos = 0;
    int next = first_param;
    for (std::size_t i = 0; i < tokens.size(); i++) {
        const Token& t = tokens[i];
        bool value = t.kind == TokenKind::String || t.kind == TokenKind::Number;
        if (!value && booleans && t.kind == TokenKind::Word &&
            (sql::is_keyword(text, t, "true") || sql::is_keyword(text, t, "false"))) {
            // IS [NOT] TRUE is a test, not a value.
            std::size_t p = i;
            while (p > 0 && tokens[p - 1].kind == TokenKind::Comment) p--;
            bool after_is = p > 0 && (sql::is_keyword(text, tokens[p - 1], "is") ||
                                      (sql::is_keyword(text, tokens[p - 1], "not") && p > 1 &&
                                       sql::is_keyword(text, tokens[p - 2], "is")));
            value = !after_is;
        }
        if (!value) continue;
        out.append(text.substr(pos, t.begin - pos));
        if (placeholder.empty())
            out += "$" + std::to_string(next++);
        else
            out.append(placeholder);
        pos = t.end;
    }
    out.append(text.substr(pos));
    return out;
}

int highest_param(std::string_view text) {
    int high = 0;
    for (const Token& t : sql::tokenize(text)) {
        if (t.kind != TokenKind::Param) continue;
        std::string_view digits = sql::token_text(text, t).substr(1);
        int n = 0;
        for (char c : digits) {
            if (c < '0' || c > '9' || n > 100000000) break;
            n = n * 10 + (c - '0');
        }
        if (n > high) high = n;
    }
    return high;
}

// JSON string at s[i] == '"': its decoded value and the index after it.
std::size_t read_json_string(std::string_view s, std::size_t i, std::string* out) {
    out->clear();
    for (++i; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') return i + 1;
        if (c != '\\' || i + 1 >= s.size()) {
            out->push_back(c);
            continue;
        }
        char e = s[++i];
        switch (e) {
            case 'n': out->push_back('\n'); break;
            case 't': out->push_back('\t'); break;
            case 'r': out->push_back('\r'); break;
            case 'b': out->push_back('\b'); break;
            case 'f': out->push_back('\f'); break;
            case 'u':
                // EXPLAIN escapes control characters only: keep the escape.
                out->append("\\u");
                break;
            default: out->push_back(e); break;
        }
    }
    return s.size();
}

void write_json_string(std::string_view v, std::string* out) {
    out->push_back('"');
    for (std::size_t i = 0; i < v.size(); i++) {
        char c = v[i];
        switch (c) {
            case '"': out->append("\\\""); break;
            case '\\':
                if (i + 1 < v.size() && v[i + 1] == 'u') {
                    out->push_back('\\');  // an escape kept by read_json_string
                } else {
                    out->append("\\\\");
                }
                break;
            case '\n': out->append("\\n"); break;
            case '\t': out->append("\\t"); break;
            case '\r': out->append("\\r"); break;
            case '\b': out->append("\\b"); break;
            case '\f': out->append("\\f"); break;
            default: out->push_back(c); break;
        }
    }
    out->push_back('"');
}

std::string scrub_expression(std::string_view expr) { return scrub(expr, "?", 0, true); }

// One line of EXPLAIN output.
void scrub_line(std::string_view line, std::string* out) {
    std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos) {
        out->append(line);
        return;
    }
    std::string_view rest = line.substr(indent);
    if (rest[0] == '"') {
        // JSON: "Label": "value" or "Label": ["a", "b"]
        std::string label;
        std::size_t after = read_json_string(rest, 0, &label);
        if (!is_expression_label(label) || after + 1 >= rest.size() || rest[after] != ':') {
            out->append(line);
            return;
        }
        out->append(line.substr(0, indent + after));
        std::size_t i = after;
        std::string value;
        while (i < rest.size()) {
            if (rest[i] == '"') {
                i = read_json_string(rest, i, &value);
                write_json_string(scrub_expression(value), out);
            } else {
                out->push_back(rest[i++]);
            }
        }
        return;
    }
    // TEXT: Label: value
    std::size_t colon = rest.find(": ");
    if (colon == std::string_view::npos || !is_expression_label(rest.substr(0, colon))) {
        out->append(line);
        return;
    }
    out->append(line.substr(0, indent + colon + 2));
    out->append(scrub_expression(rest.substr(colon + 2)));
}

}  // namespace

std::string scrub_sql_literals(std::string_view text) { return scrub(text, "", highest_param(text) + 1, false); }

std::string scrub_plan_values(std::string_view plan) {
    std::string out;
    out.reserve(plan.size());
    std::size_t start = 0;
    while (start <= plan.size()) {
        std::size_t nl = plan.find('\n', start);
        std::size_t end = nl == std::string_view::npos ? plan.size() : nl;
        scrub_line(plan.substr(start, end - start), &out);
        if (nl == std::string_view::npos) break;
        out.push_back('\n');
        start = nl + 1;
    }
    return out;
}

}  // namespace pothos::core
