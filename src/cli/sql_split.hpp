// Splits SQL text into statements the way the server's lexer would see their
// boundaries: semicolons outside quotes ('...', E'...', "..."), dollar
// quotes ($$...$$, $tag$...$tag$), -- and nested /* */ comments, and
// parentheses (a CREATE RULE's action list). Plain C++, no libpq.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pothos::cli {

struct SqlStatement {
    std::string text;  // the statement without its terminating semicolon
    int line = 1;      // 1-based line of its first non-blank character
};

// The statements of `sql`; pieces holding only blanks and comments are left
// out. A last statement without a semicolon is kept.
std::vector<SqlStatement> split_sql(std::string_view sql);

// The 1-based line, within `text` starting at `first_line`, of the character
// at 1-based character position `position` (PostgreSQL's error position,
// counted in characters of a UTF-8 string).
int line_at_position(std::string_view text, int first_line, int position);

// A SQL script read from `path` in pieces, psql's \i / \include / \ir /
// \include_relative lines replaced by the files they name (\ir relative to
// the including file). Throws std::runtime_error for any other psql
// meta-command, an unreadable file or includes nested too deep.
struct SqlSource {
    std::string file;
    std::string text;  // a piece of `file`; its first line is line `first_line`
    int first_line = 1;
};
std::vector<SqlSource> read_sql_script(const std::string& path);

}  // namespace pothos::cli
