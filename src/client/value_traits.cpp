// The out-of-line parts of ValueTraits: array literals, bytea text, errors.
#include <pothos/value_traits.hpp>

namespace pothos::detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void skip_space(std::string_view& in) {
    while (!in.empty() && is_space(in[0])) in.remove_prefix(1);
}

[[noreturn]] void bad_array(std::string_view rest) {
    throw ConversionError("malformed array literal near '" + std::string(rest.substr(0, 20)) + "'");
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

void conversion_failed(std::string_view text, const char* type) {
    throw ConversionError("cannot read '" + std::string(text.substr(0, 64)) + "' as " + type);
}

bool parse_bool(std::string_view s, bool& out) noexcept {
    if (s == "t" || s == "true") {
        out = true;
        return true;
    }
    if (s == "f" || s == "false") {
        out = false;
        return true;
    }
    return false;
}

void expect_char(std::string_view& in, char c) {
    skip_space(in);
    if (in.empty() || in[0] != c) bad_array(in);
    in.remove_prefix(1);
}

void skip_dimensions(std::string_view& in) {
    skip_space(in);
    if (!in.empty() && in[0] == '[') {  // "[0:2]={...}"
        const auto eq = in.find('=');
        if (eq == std::string_view::npos) bad_array(in);
        in.remove_prefix(eq + 1);
    }
}

std::optional<std::string> read_scalar_element(std::string_view& in) {
    skip_space(in);
    std::string out;
    if (!in.empty() && in[0] == '"') {
        in.remove_prefix(1);
        for (;;) {
            if (in.empty()) bad_array(in);
            char c = in[0];
            in.remove_prefix(1);
            if (c == '"') break;
            if (c == '\\') {
                if (in.empty()) bad_array(in);
                c = in[0];
                in.remove_prefix(1);
            }
            out += c;
        }
        skip_space(in);
        return out;
    }
    bool escaped = false;
    while (!in.empty() && in[0] != ',' && in[0] != '}') {
        char c = in[0];
        in.remove_prefix(1);
        if (c == '\\') {
            if (in.empty()) bad_array(in);
            c = in[0];
            in.remove_prefix(1);
            escaped = true;
        }
        out += c;
    }
    while (!out.empty() && is_space(out.back())) out.pop_back();
    if (out.empty()) bad_array(in);
    if (!escaped && out.size() == 4 && (out[0] == 'N' || out[0] == 'n') &&
        (out[1] == 'U' || out[1] == 'u') && (out[2] == 'L' || out[2] == 'l') &&
        (out[3] == 'L' || out[3] == 'l'))
        return std::nullopt;
    return out;
}

bool next_element(std::string_view& in) {
    skip_space(in);
    if (in.empty()) bad_array(in);
    const char c = in[0];
    in.remove_prefix(1);
    if (c == ',') return true;
    if (c == '}') return false;
    bad_array(in);
}

Bytes bytea_from_text(std::string_view s) {
    Bytes out;
    if (s.size() >= 2 && s[0] == '\\' && s[1] == 'x') {
        if (s.size() % 2 != 0) conversion_failed(s, "bytea (hex)");
        out.reserve((s.size() - 2) / 2);
        for (std::size_t i = 2; i < s.size(); i += 2) {
            const int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
            if (hi < 0 || lo < 0) conversion_failed(s, "bytea (hex)");
            out.push_back(static_cast<std::byte>(hi * 16 + lo));
        }
        return out;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {  // escape format
        if (s[i] != '\\') {
            out.push_back(static_cast<std::byte>(s[i]));
        } else if (i + 1 < s.size() && s[i + 1] == '\\') {
            out.push_back(std::byte{'\\'});
            ++i;
        } else if (i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                   s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            out.push_back(static_cast<std::byte>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
                                                 (s[i + 3] - '0')));
            i += 3;
        } else {
            conversion_failed(s, "bytea (escape)");
        }
    }
    return out;
}

void bytea_to_text(const Bytes& b, std::string& out) {
    static const char digits[] = "0123456789abcdef";
    out.reserve(out.size() + 2 + 2 * b.size());
    out += "\\x";
    for (std::byte x : b) {
        const auto v = std::to_integer<unsigned>(x);
        out += digits[v >> 4];
        out += digits[v & 15];
    }
}

}  // namespace pothos::detail
