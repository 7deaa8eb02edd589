#include "core/common/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

using pothos::core::JsonValue;
using pothos::core::kMaxJsonDepth;
using pothos::core::parse_json;

TEST(Json, ParsesAllKinds) {
    std::optional<JsonValue> v = parse_json(
        R"( {"a": [1, -2.5e3, 0, true, false, null], "s": "x\"\\\/\n\u00e9\ud83d\ude00", "o": {}} )");
    ASSERT_TRUE(v.has_value());
    ASSERT_EQ(v->kind, JsonValue::Kind::Object);
    const JsonValue* a = v->get("a");
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(a->items.size(), 6u);
    EXPECT_EQ(a->items[0].number, 1);
    EXPECT_EQ(a->items[1].number, -2500);
    EXPECT_EQ(a->items[3].kind, JsonValue::Kind::Bool);
    EXPECT_TRUE(a->items[3].boolean);
    EXPECT_FALSE(a->items[4].boolean);
    EXPECT_EQ(a->items[5].kind, JsonValue::Kind::Null);
    EXPECT_EQ(v->string_at("s"), std::optional<std::string>("x\"\\/\n\u00e9\U0001F600"));
    EXPECT_EQ(v->get("o")->kind, JsonValue::Kind::Object);
    EXPECT_EQ(v->get("missing"), nullptr);
    EXPECT_FALSE(v->number_at("s").has_value());  // a string, not a number
    EXPECT_FALSE(a->get("x"));                    // not an object
}

TEST(Json, RejectsMalformedInputWithPosition) {
    std::string err;
    EXPECT_FALSE(parse_json(R"({"a" 1})", &err));
    EXPECT_EQ(err, "invalid JSON at byte 5: expected ':'");
    for (const char* bad : {"", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[-]", "[1e]", "\"abc",
                            "\"\\x\"", "\"\\ud800\"", "\"\\udc00x\"", "\"a\nb\"", "tru", "[1] 2",
                            "{1:2}", "[\"\\u12G4\"]", "nul"}) {
        err.clear();
        EXPECT_FALSE(parse_json(bad, &err).has_value()) << bad;
        EXPECT_EQ(err.rfind("invalid JSON at byte ", 0), 0u) << bad;
    }
}

TEST(Json, DepthIsBounded) {
    // As deep as allowed: read, copied and destroyed without recursion (a
    // recursive reader overflows the stack long before).
    std::string ok(kMaxJsonDepth, '[');
    ok += std::string(kMaxJsonDepth, ']');
    std::optional<JsonValue> v = parse_json(ok);
    ASSERT_TRUE(v.has_value());
    JsonValue moved = std::move(*v);
    v.reset();
    EXPECT_EQ(moved.items.size(), 1u);
    std::string deep(kMaxJsonDepth + 1, '[');
    deep += std::string(kMaxJsonDepth + 1, ']');
    std::string err;
    EXPECT_FALSE(parse_json(deep, &err).has_value());
    EXPECT_NE(err.find("nesting too deep"), std::string::npos);
    std::string unclosed(kMaxJsonDepth + 1, '[');
    EXPECT_FALSE(parse_json(unclosed, &err).has_value());
}

TEST(Json, DeepObjectsAndErrorsInside) {
    // {"a":{"a":...{"a":[1,true]}...}} 20000 levels deep.
    const int n = 20000;
    std::string s;
    for (int i = 0; i < n; i++) s += "{\"a\": ";
    s += "[1, true]";
    for (int i = 0; i < n; i++) s += "}";
    std::optional<JsonValue> v = parse_json(s);
    ASSERT_TRUE(v.has_value());
    const JsonValue* at = &*v;
    for (int i = 0; i < n; i++) at = at->get("a");
    ASSERT_NE(at, nullptr);
    ASSERT_EQ(at->kind, JsonValue::Kind::Array);
    EXPECT_EQ(at->items.size(), 2u);
    // The same with a missing ':' deep inside: the error names the byte
    // found instead (the '[' after two blanks).
    std::string bad = s;
    size_t colon = bad.rfind(':');
    bad[colon] = ' ';
    std::string err;
    EXPECT_FALSE(parse_json(bad, &err).has_value());
    EXPECT_EQ(err, "invalid JSON at byte " + std::to_string(colon + 2) + ": expected ':'");
}

TEST(Json, NumbersOutOfRange) {
    std::optional<JsonValue> v = parse_json("[1e999, -1e999, 1e-999]");
    ASSERT_TRUE(v.has_value());
    EXPECT_TRUE(std::isinf(v->items[0].number) && v->items[0].number > 0);
    EXPECT_TRUE(std::isinf(v->items[1].number) && v->items[1].number < 0);
    EXPECT_EQ(v->items[2].number, 0);
}
