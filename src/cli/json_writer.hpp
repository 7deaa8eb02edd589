// A streaming JSON writer (RFC 8259) producing indented output with a
// stable key order (the order of the calls). Non-finite numbers are written
// as null. Misuse (a value where a key is expected, unbalanced ends) throws
// std::logic_error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pothos::cli {

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(double d);
    JsonWriter& value(std::int64_t i);
    JsonWriter& value(int i) { return value(std::int64_t(i)); }
    JsonWriter& value(bool b);
    JsonWriter& value(std::optional<double> d);
    JsonWriter& null();
    // An already-serialised JSON value, inserted as is (the caller vouches for it).
    JsonWriter& raw(std::string_view json);
    JsonWriter& strings(const std::vector<std::string>& items);

    // The document; throws std::logic_error when objects or arrays are still open.
    std::string str() const;

private:
    enum class Ctx { Object, Array };
    struct Frame {
        Ctx ctx;
        bool empty = true;
        bool have_key = false;
    };
    void before_value();
    void newline();
    std::string out_;
    std::vector<Frame> stack_;
    bool done_ = false;
};

// s as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

}  // namespace pothos::cli
