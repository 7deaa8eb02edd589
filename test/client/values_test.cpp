// Exact values both ways: parameters built from C++ values reach the server
// unchanged (numbers, characters, text with lengths, bytea, arrays, NULL),
// and results come back as checked, locale-independent C++ values.
#include <gtest/gtest.h>

#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <pothos/pothos.hpp>

#include "test_client.hpp"

using namespace pothos;
using pothos::test::test_config;

TEST(Values, DoublesRoundTripExactly) {
    Client c(test_config(1));
    for (double v : {0.1234567891, 1e-10, 2e-7, 1.0 / 3.0, 123456789.123456789,
                     std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                     -0.0}) {
        auto r = c.query("SELECT $1::float8, $1::float8::text", params(v));
        EXPECT_EQ(r.get<double>(0, 0), v) << r.get(0, 1);
        EXPECT_EQ(std::signbit(r.get<double>(0, 0)), std::signbit(v));
    }
    // What std::to_string sent: "0.123457", "0.000000".
    EXPECT_EQ(params(0.1234567891)[0].data(), "0.1234567891");
    EXPECT_EQ(params(1e-10)[0].data(), "1e-10");
    auto special = c.query("SELECT $1::float8 = 'NaN', $2::float8, $3::float8",
                           params(std::nan(""), std::numeric_limits<double>::infinity(),
                                  -std::numeric_limits<double>::infinity()));
    EXPECT_TRUE(special.get<bool>(0, 0));
    EXPECT_EQ(special.get<double>(0, 1), std::numeric_limits<double>::infinity());
    EXPECT_EQ(special.get<double>(0, 2), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(c.query("SELECT $1::float4", params(0.1f)).get<float>(0, 0), 0.1f);
}

TEST(Values, IntegersCharsAndBooleans) {
    Client c(test_config(1));
    auto r = c.query("SELECT $1::bigint, $2::int, $3::text, $4::bool, $5::smallint",
                     params(std::numeric_limits<std::int64_t>::min(), 42u, 'a', false,
                            static_cast<std::int8_t>(-5)));
    EXPECT_EQ(r.get<std::int64_t>(0, 0), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(r.get<unsigned>(0, 1), 42u);
    EXPECT_EQ(r.get<std::string>(0, 2), "a");  // not "97"
    EXPECT_EQ(r.get<char>(0, 2), 'a');
    EXPECT_FALSE(r.get<bool>(0, 3));
    EXPECT_EQ(r.get<std::int8_t>(0, 4), -5);
}

TEST(Values, TextKeepsItsLengthAndRefusesNul) {
    Client c(test_config(1));
    const std::string long_text(100000, 'x');
    EXPECT_EQ(c.query("SELECT length($1::text)", params(long_text)).get<int>(0, 0), 100000);
    EXPECT_EQ(c.query("SELECT $1::text", params(std::string_view("abc", 2))).get(0, 0), "ab");
    // std::string("a\0b", 3) used to be sent as "a".
    EXPECT_THROW(params(std::string("a\0b", 3)), UsageError);
}

TEST(Values, ByteaInBinaryFormat) {
    Client c(test_config(1));
    Bytes all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::byte>(i));
    auto r = c.query("SELECT $1::bytea, length($1::bytea), $1::bytea = decode($2, 'hex')",
                     params(all, std::string("000102")));
    EXPECT_EQ(r.get<Bytes>(0, 0), all);
    EXPECT_EQ(r.get<int>(0, 1), 256);
    EXPECT_FALSE(r.get<bool>(0, 2));
    // An untyped placeholder becomes bytea: the parameter carries its type.
    EXPECT_EQ(c.query("SELECT pg_typeof($1)::text", params(all)).get(0, 0), "bytea");
    // Also through a prepared statement and in escape output format.
    c.prepare("bytes", "SELECT $1::bytea");
    EXPECT_EQ(c.execute("bytes", params(all)).get<Bytes>(0, 0), all);
    auto s = c.session();
    s.query("SET bytea_output = escape");
    EXPECT_EQ(s.query("SELECT $1::bytea", params(all)).get<Bytes>(0, 0), all);
}

TEST(Values, ArraysBothWays) {
    Client c(test_config(1));
    const std::vector<std::string> words{"a", "b,c", "d\"e", "f\\g", "", "NULL", " spaced "};
    auto r = c.query("SELECT $1::text[], cardinality($1::text[]), $1::text[] = "
                     "ARRAY['a', 'b,c', 'd\"e', 'f\\g', '', 'NULL', ' spaced ']",
                     params(words));
    EXPECT_EQ(r.get<std::vector<std::string>>(0, 0), words);
    EXPECT_EQ(r.get<int>(0, 1), 7);
    EXPECT_TRUE(r.get<bool>(0, 2));
    const std::vector<std::optional<int>> with_null{1, std::nullopt, 3};
    EXPECT_EQ(c.query("SELECT $1::int[]", params(with_null)).get<std::vector<std::optional<int>>>(0, 0),
              with_null);
    EXPECT_THROW(c.query("SELECT $1::int[]", params(with_null)).get<std::vector<int>>(0, 0),
                 ConversionError);
    const std::vector<std::vector<double>> grid{{0.1, 0.2}, {1e-10, -3.5}};
    EXPECT_EQ(c.query("SELECT $1::float8[]", params(grid)).get<std::vector<std::vector<double>>>(0, 0),
              grid);
    EXPECT_EQ(c.query("SELECT '{}'::int[]").get<std::vector<int>>(0, 0), std::vector<int>{});
    EXPECT_EQ(c.query("SELECT '[0:1]={5,6}'::int[]").get<std::vector<int>>(0, 0),
              (std::vector<int>{5, 6}));
    // = ANY with an exact array of the key type.
    EXPECT_EQ(c.query("SELECT count(*) FROM generate_series(1, 10) g WHERE g = ANY($1)",
                      params(std::vector<std::int64_t>{2, 3, 11}))
                  .get<int>(0, 0),
              2);
}

TEST(Values, NullBothWays) {
    Client c(test_config(1));
    std::optional<int> none, some = 5;
    auto r = c.query("SELECT $1::int, $2::int, $3::text", params(none, some, nullptr));
    EXPECT_TRUE(r.is_null(0, 0));
    EXPECT_EQ(r.get<std::optional<int>>(0, 0), std::nullopt);
    EXPECT_EQ(r.get<std::optional<int>>(0, 1), 5);
    // NULL is not "" any more: reading it as a plain type is an error naming the column.
    try {
        r.get(0, 2);
        FAIL() << "NULL read as text";
    } catch (const ConversionError& e) {
        EXPECT_EQ(e.column(), "text");
    }
    EXPECT_EQ(r.value(0, 2), std::nullopt);
}

TEST(Values, ResultConversionsAreChecked) {
    Client c(test_config(1));
    auto r = c.query("SELECT 300::int AS n, 'x1' AS t, 9223372036854775807 AS big, '1.5' AS f");
    EXPECT_EQ(r.get<int>(0, "n"), 300);
    EXPECT_THROW(r.get<std::int8_t>(0, "n"), ConversionError);   // does not fit
    EXPECT_THROW(r.get<std::uint8_t>(0, "n"), ConversionError);
    EXPECT_THROW(r.get<int>(0, "t"), ConversionError);           // not a number
    EXPECT_THROW(r.get<std::int32_t>(0, "big"), ConversionError);
    EXPECT_EQ(r.get<std::int64_t>(0, "big"), std::numeric_limits<std::int64_t>::max());
    EXPECT_THROW(r.get<int>(0, "f"), ConversionError);
    EXPECT_EQ(r.get<double>(0, "f"), 1.5);
    EXPECT_THROW(r.get<int>(0, "nope"), std::out_of_range);
    try {
        r.get<std::int8_t>(0, "n");
    } catch (const ConversionError& e) {
        EXPECT_EQ(e.column(), "n");
        EXPECT_NE(std::string(e.what()).find("300"), std::string::npos) << e.what();
    }
}

TEST(Values, RowsIterateAndReadByName) {
    Client c(test_config(1));
    auto r = c.query("SELECT g AS id, 'user' || g AS name, CASE WHEN g = 2 THEN NULL ELSE g * 0.5 END "
                     "AS score FROM generate_series(1, 3) g ORDER BY g");
    std::vector<std::string> names;
    double total = 0;
    for (const Row& row : r) {
        EXPECT_EQ(row.get<int>("id"), row.index() + 1);
        names.push_back(row.get<std::string>("name"));
        total += row.get<std::optional<double>>("score").value_or(0);
        EXPECT_EQ(row.is_null("score"), row.index() == 1);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"user1", "user2", "user3"}));
    EXPECT_EQ(total, 2.0);
    EXPECT_EQ(r[2].get<std::string_view>(1), "user3");
    EXPECT_THROW(r.row(3), std::out_of_range);
}

// strtod reads "0.5" as 0 under a locale whose decimal point is a comma; our
// conversions do not look at the locale. Needs localedef to build de_DE.
TEST(Values, ConversionsIgnoreTheCLocale) {
    char dir[] = "/tmp/pothos-locale.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    const std::string cmd = "localedef -i de_DE -f UTF-8 " + std::string(dir) + "/de_DE.UTF-8 >/dev/null 2>&1";
    const bool built = std::system(cmd.c_str()) == 0;
    ::setenv("LOCPATH", dir, 1);
    if (!built || !std::setlocale(LC_NUMERIC, "de_DE.UTF-8")) {
        std::system(("rm -rf " + std::string(dir)).c_str());
        GTEST_SKIP() << "no de_DE locale could be built here";
    }
    struct Restore {
        std::string dir;
        ~Restore() {
            std::setlocale(LC_NUMERIC, "C");
            ::unsetenv("LOCPATH");
            std::system(("rm -rf " + dir).c_str());
        }
    } restore{dir};
    ASSERT_EQ(std::strtod("0.5", nullptr), 0.0);  // the locale really is in effect
    Client c(test_config(1));
    auto r = c.query("SELECT $1::float8, 0.25::float8", params(0.5));
    EXPECT_EQ(r.get<double>(0, 0), 0.5);
    EXPECT_EQ(r.as_double(0, 1), 0.25);
}
