// What the core relies on from nlohmann/json, its JSON library: EXPLAIN
// output nests as deeply as the statement does, and the extension reads it
// in a backend, whose stack is small. Reading such a document, walking it
// and destroying it must not recurse once per level.
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>

using Json = nlohmann::json;

TEST(Json, DeepArraysWithoutRecursion) {
    // A recursive reader or destructor overflows the stack long before.
    const int n = 100000;
    std::string s(n, '[');
    s += std::string(n, ']');
    Json v = Json::parse(s);
    const Json* at = &v;
    int depth = 0;
    while (at->is_array() && !at->empty()) {
        at = &(*at)[0];
        ++depth;
    }
    EXPECT_EQ(depth, n - 1);
    Json moved = std::move(v);
    EXPECT_TRUE(moved.is_array());
}

TEST(Json, DeepObjectsAndErrorsInside) {
    // {"a":{"a":...{"a":[1,true]}...}} 20000 levels deep.
    const int n = 20000;
    std::string s;
    for (int i = 0; i < n; i++) s += "{\"a\": ";
    s += "[1, true]";
    for (int i = 0; i < n; i++) s += "}";
    Json v = Json::parse(s);
    const Json* at = &v;
    for (int i = 0; i < n; i++) at = &at->at("a");
    ASSERT_TRUE(at->is_array());
    EXPECT_EQ(at->size(), 2u);
    // The same with a missing ':' deep inside: an error naming the place,
    // and what was read so far freed without recursion.
    std::string bad = s;
    size_t colon = bad.rfind(':');
    bad[colon] = ' ';
    try {
        Json read = Json::parse(bad);
        FAIL() << "accepted a missing ':'";
    } catch (const Json::parse_error& e) {
        EXPECT_EQ(e.byte, colon + 3);  // the '[' after two blanks (counted from 1)
    }
    // Unclosed: the end of the input is the error.
    EXPECT_THROW(Json read = Json::parse(std::string(n, '[')), Json::parse_error);
}
