#include "core/common/json.h"

#include <charconv>
#include <cmath>
#include <vector>

namespace pothos::core {

namespace {

class Reader {
public:
    explicit Reader(std::string_view text) : s_(text) {}

    bool document(JsonValue& out) {
        skip_space();
        if (!value(out)) return false;
        skip_space();
        if (pos_ != s_.size()) return fail("unexpected text after the value");
        return true;
    }

    const std::string& error() const { return error_; }

private:
    bool fail(const char* what) {
        if (error_.empty()) {
            char buf[24];
            auto res = std::to_chars(buf, buf + sizeof buf, pos_);
            error_ = "invalid JSON at byte " + std::string(buf, res.ptr) + ": " + what;
        }
        return false;
    }

    void skip_space() {
        while (pos_ < s_.size() &&
               (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
            ++pos_;
        }
    }

    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return fail("unknown literal");
        pos_ += word.size();
        return true;
    }

    // One value. Arrays and objects are read with an explicit stack of the
    // ones still open (innermost last), so nesting costs heap, not stack.
    bool value(JsonValue& root) {
        std::vector<JsonValue*> open;
        JsonValue* target = &root;  // where the value being read goes
        while (true) {
            if (pos_ >= s_.size()) return fail("unexpected end of input");
            char c = s_[pos_];
            if (c == '{' || c == '[') {
                if (open.size() >= static_cast<std::size_t>(kMaxJsonDepth)) return fail("nesting too deep");
                target->kind = c == '{' ? JsonValue::Kind::Object : JsonValue::Kind::Array;
                ++pos_;
                skip_space();
                if (pos_ < s_.size() && s_[pos_] == closing(*target)) {
                    ++pos_;
                } else {
                    open.push_back(target);
                    target = element(*target);
                    if (!target) return false;
                    continue;
                }
            } else if (!scalar(*target)) {
                return false;
            }
            // A value is complete: a comma starts the next element of the
            // innermost open container, its bracket closes it.
            while (true) {
                if (open.empty()) return true;
                JsonValue& inner = *open.back();
                skip_space();
                if (pos_ < s_.size() && s_[pos_] == ',') {
                    ++pos_;
                    target = element(inner);
                    if (!target) return false;
                    break;
                }
                if (pos_ < s_.size() && s_[pos_] == closing(inner)) {
                    ++pos_;
                    open.pop_back();
                    continue;
                }
                return fail(inner.kind == JsonValue::Kind::Object ? "expected ',' or '}'" : "expected ',' or ']'");
            }
        }
    }

    static char closing(const JsonValue& container) {
        return container.kind == JsonValue::Kind::Object ? '}' : ']';
    }

    // Starts the next element of an open array or object (for an object,
    // reads its key and ':'); returns where its value goes, nullptr after
    // an error.
    JsonValue* element(JsonValue& container) {
        skip_space();
        if (container.kind == JsonValue::Kind::Object) {
            if (pos_ >= s_.size() || s_[pos_] != '"') {
                fail("expected a string key");
                return nullptr;
            }
            container.keys.emplace_back();
            if (!string(container.keys.back())) return nullptr;
            skip_space();
            if (pos_ >= s_.size() || s_[pos_] != ':') {
                fail("expected ':'");
                return nullptr;
            }
            ++pos_;
            skip_space();
        }
        container.items.emplace_back();
        return &container.items.back();
    }

    // A string, number, true, false or null.
    bool scalar(JsonValue& out) {
        switch (s_[pos_]) {
            case '"':
                out.kind = JsonValue::Kind::String;
                return string(out.string);
            case 't':
                out.kind = JsonValue::Kind::Bool;
                out.boolean = true;
                return literal("true");
            case 'f':
                out.kind = JsonValue::Kind::Bool;
                out.boolean = false;
                return literal("false");
            case 'n':
                out.kind = JsonValue::Kind::Null;
                return literal("null");
            default:
                return number(out);
        }
    }

    bool hex4(unsigned& out) {
        if (pos_ + 4 > s_.size()) return fail("truncated \\u escape");
        out = 0;
        for (int i = 0; i < 4; ++i) {
            char c = s_[pos_++];
            unsigned d;
            if (c >= '0' && c <= '9') {
                d = static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                d = static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                d = static_cast<unsigned>(c - 'A' + 10);
            } else {
                return fail("bad hex digit in \\u escape");
            }
            out = out * 16 + d;
        }
        return true;
    }

    static void put_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    bool escape(std::string& out) {
        if (pos_ >= s_.size()) return fail("unterminated string");
        char c = s_[pos_++];
        switch (c) {
            case '"':
            case '\\':
            case '/':
                out += c;
                return true;
            case 'b':
                out += '\b';
                return true;
            case 'f':
                out += '\f';
                return true;
            case 'n':
                out += '\n';
                return true;
            case 'r':
                out += '\r';
                return true;
            case 't':
                out += '\t';
                return true;
            case 'u':
                break;
            default:
                return fail("unknown escape");
        }
        unsigned cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // high surrogate: a low one must follow
            unsigned low = 0;
            if (s_.substr(pos_, 2) != "\\u") return fail("lone surrogate");
            pos_ += 2;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return fail("lone surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail("lone surrogate");
        }
        put_utf8(out, cp);
        return true;
    }

    bool string(std::string& out) {
        ++pos_;  // opening quote
        while (pos_ < s_.size()) {
            char c = s_[pos_++];
            if (c == '"') return true;
            if (c == '\\') {
                if (!escape(out)) return false;
            } else if (static_cast<unsigned char>(c) < 0x20) {
                return fail("control character in string");
            } else {
                out += c;
            }
        }
        return fail("unterminated string");
    }

    bool number(JsonValue& out) {
        // JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        std::size_t start = pos_;
        auto digits = [&]() {
            std::size_t from = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            return pos_ > from;
        };
        if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '0') {
            ++pos_;
        } else if (!digits()) {
            return fail("expected a value");
        }
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            if (!digits()) return fail("expected digits after '.'");
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            if (!digits()) return fail("expected digits in the exponent");
        }
        out.kind = JsonValue::Kind::Number;
        auto res = std::from_chars(s_.data() + start, s_.data() + pos_, out.number);
        if (res.ec == std::errc::result_out_of_range) {
            // Out of double range: keep the sign, as infinity or zero.
            bool negative = s_[start] == '-';
            bool tiny = s_.substr(start, pos_ - start).find("e-") != std::string_view::npos ||
                        s_.substr(start, pos_ - start).find("E-") != std::string_view::npos;
            out.number = tiny ? 0.0 : HUGE_VAL;
            if (negative) out.number = -out.number;
        } else if (res.ec != std::errc()) {
            return fail("bad number");
        }
        return true;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    std::string error_;
};

}  // namespace

JsonValue::~JsonValue() {
    if (items.empty()) return;
    // Taken apart level by level with a work list: the members' own
    // destructors would recurse once per level of nesting.
    try {
        std::vector<JsonValue> pending;
        pending.swap(items);
        while (!pending.empty()) {
            JsonValue v = std::move(pending.back());
            pending.pop_back();
            for (JsonValue& child : v.items) pending.push_back(std::move(child));
            v.items.clear();  // moved-from children: nothing below them
        }
    } catch (...) {
        // Out of memory for the work list: what is left goes recursively.
    }
}

const JsonValue* JsonValue::get(std::string_view key) const {
    if (kind != Kind::Object) return nullptr;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == key) return &items[i];
    }
    return nullptr;
}

std::optional<double> JsonValue::number_at(std::string_view key) const {
    const JsonValue* v = get(key);
    if (!v || v->kind != Kind::Number) return std::nullopt;
    return v->number;
}

std::optional<std::string> JsonValue::string_at(std::string_view key) const {
    const JsonValue* v = get(key);
    if (!v || v->kind != Kind::String) return std::nullopt;
    return v->string;
}

std::optional<JsonValue> parse_json(std::string_view text, std::string* error) {
    Reader reader(text);
    JsonValue root;
    if (!reader.document(root)) {
        if (error) *error = reader.error();
        return std::nullopt;
    }
    return root;
}

}  // namespace pothos::core
