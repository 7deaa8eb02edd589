#include "json_writer.hpp"

#include "units.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace pothos::cli {

std::string json_quote(std::string_view text) {
    const std::string s = valid_utf8(text);
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += char(c);
                }
        }
    }
    return out + "\"";
}

void JsonWriter::newline() {
    out_ += '\n';
    out_.append(stack_.size() * 2, ' ');
}

void JsonWriter::before_value() {
    if (stack_.empty()) {
        if (done_) throw std::logic_error("JSON: a second top-level value");
        done_ = true;
        return;
    }
    Frame& f = stack_.back();
    if (f.ctx == Ctx::Object) {
        if (!f.have_key) throw std::logic_error("JSON: value without a key in an object");
        f.have_key = false;
        return;
    }
    if (!f.empty) out_ += ',';
    f.empty = false;
    newline();
}

JsonWriter& JsonWriter::key(std::string_view k) {
    if (stack_.empty() || stack_.back().ctx != Ctx::Object || stack_.back().have_key)
        throw std::logic_error("JSON: key outside an object");
    Frame& f = stack_.back();
    if (!f.empty) out_ += ',';
    f.empty = false;
    newline();
    out_ += json_quote(k);
    out_ += ": ";
    f.have_key = true;
    return *this;
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    out_ += '{';
    stack_.push_back({Ctx::Object});
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    out_ += '[';
    stack_.push_back({Ctx::Array});
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    if (stack_.empty() || stack_.back().ctx != Ctx::Object || stack_.back().have_key)
        throw std::logic_error("JSON: end_object without a matching begin_object");
    bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty) newline();
    out_ += '}';
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    if (stack_.empty() || stack_.back().ctx != Ctx::Array)
        throw std::logic_error("JSON: end_array without a matching begin_array");
    bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty) newline();
    out_ += ']';
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    before_value();
    out_ += json_quote(s);
    return *this;
}

JsonWriter& JsonWriter::value(double d) {
    before_value();
    if (!std::isfinite(d)) {
        out_ += "null";
        return *this;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    // shortest form that reads back the same
    for (int prec = 6; prec <= 17; ++prec) {
        char tmp[32];
        std::snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (std::strtod(tmp, nullptr) == d) {
            out_ += tmp;
            return *this;
        }
    }
    out_ += buf;
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t i) {
    before_value();
    out_ += std::to_string(i);
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    out_ += b ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::value(std::optional<double> d) {
    if (!d) return null();
    return value(*d);
}

JsonWriter& JsonWriter::null() {
    before_value();
    out_ += "null";
    return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
    before_value();
    out_ += json;
    return *this;
}

JsonWriter& JsonWriter::strings(const std::vector<std::string>& items) {
    begin_array();
    for (const auto& s : items) value(s);
    return end_array();
}

std::string JsonWriter::str() const {
    if (!stack_.empty()) throw std::logic_error("JSON: unclosed object or array");
    return out_ + "\n";
}

}  // namespace pothos::cli
