#include "core/json.h"

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
    std::string ok(kMaxJsonDepth, '[');
    ok += std::string(kMaxJsonDepth, ']');
    EXPECT_TRUE(parse_json(ok).has_value());
    std::string deep(100000, '[');
    std::string err;
    EXPECT_FALSE(parse_json(deep, &err).has_value());
    EXPECT_NE(err.find("nesting too deep"), std::string::npos);
}

TEST(Json, NumbersOutOfRange) {
    std::optional<JsonValue> v = parse_json("[1e999, -1e999, 1e-999]");
    ASSERT_TRUE(v.has_value());
    EXPECT_TRUE(std::isinf(v->items[0].number) && v->items[0].number > 0);
    EXPECT_TRUE(std::isinf(v->items[1].number) && v->items[1].number < 0);
    EXPECT_EQ(v->items[2].number, 0);
}
