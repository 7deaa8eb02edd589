#include "units.hpp"

#include <cmath>
#include <cstdio>

namespace pothos::cli {
namespace {

std::string printf_str(const char* fmt, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

}  // namespace

std::string format_ms(double ms) {
    if (!std::isfinite(ms)) return "-";
    double a = std::fabs(ms);
    if (a < 1.0) return printf_str("%.0f µs", ms * 1000.0);
    if (a < 10.0) return printf_str("%.2f ms", ms);
    if (a < 1000.0) return printf_str("%.1f ms", ms);
    if (a < 60000.0) return printf_str("%.2f s", ms / 1000.0);
    return printf_str("%.1f min", ms / 60000.0);
}

std::string format_bytes(std::int64_t bytes) {
    if (bytes < 0) return "-";
    if (bytes < 1024) return std::to_string(bytes) + " B";
    double v = double(bytes) / 1024.0;
    if (v < 1024.0) return printf_str("%.1f kB", v);
    v /= 1024.0;
    if (v < 1024.0) return printf_str("%.1f MB", v);
    v /= 1024.0;
    return printf_str("%.2f GB", v);
}

std::string format_count(std::int64_t n) {
    bool neg = n < 0;
    std::uint64_t u = neg ? 0 - std::uint64_t(n) : std::uint64_t(n);
    std::string digits = std::to_string(u);
    std::string out;
    int k = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (k > 0 && k % 3 == 0) out.insert(out.begin(), ',');
        out.insert(out.begin(), *it);
        ++k;
    }
    return neg ? "-" + out : out;
}

std::string format_pct(double pct) {
    if (!std::isfinite(pct)) return "-";
    return printf_str("%.1f %%", pct);
}

std::string format_ratio(std::optional<double> ratio) {
    if (!ratio || !std::isfinite(*ratio)) return "-";
    return format_pct(*ratio * 100.0);
}

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len > 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k)
            ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (ok && len > 1) {
            // no overlong forms, surrogates or values above U+10FFFF
            unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
            if (len == 2) ok = c >= 0xC2;
            else if (len == 3) ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
            else ok = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
        }
        if (ok) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string one_line(std::string_view s, std::size_t width) {
    std::string flat;
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = !flat.empty();
            continue;
        }
        if (space) flat += ' ';
        space = false;
        flat += c;
    }
    if (display_width(flat) <= width) return flat;
    if (width == 0) return "";
    // keep width-1 code points, then the ellipsis
    std::string out;
    std::size_t cps = 0;
    for (std::size_t i = 0; i < flat.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(flat[i]);
        if ((c & 0xC0) != 0x80) {
            if (cps == width - 1) break;
            ++cps;
        }
        out += flat[i];
    }
    return out + "…";
}

std::string wrap(std::string_view s, std::size_t width, const std::string& indent) {
    std::string flat = one_line(s, std::string::npos);
    std::string out, line;
    std::size_t pos = 0;
    while (pos < flat.size()) {
        std::size_t sp = flat.find(' ', pos);
        std::string word = flat.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
        pos = sp == std::string::npos ? flat.size() : sp + 1;
        if (!line.empty() && display_width(line) + 1 + display_width(word) > width) {
            out += indent + line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty()) out += indent + line + "\n";
    return out;
}

}  // namespace pothos::cli
