// Small lexical helpers on SQL text (PostgreSQL dialect), free of PostgreSQL
// headers. They understand what makes naive string searches wrong in SQL:
// '...' strings (with '' inside), E'...' strings (with backslash escapes),
// $tag$...$tag$ dollar quoting, "quoted identifiers", -- line comments and
// nested /* block */ comments.
//
// None of these functions parse SQL; they look at tokens and parenthesis
// depth only. Unterminated strings or comments run to the end of the text.
// No function throws anything but std::bad_alloc.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pothos::core::sql {

enum class TokenKind {
    Word,         // identifier or keyword: letters, digits, _ and $ (not first)
    QuotedIdent,  // "Some Name"
    String,       // '...', E'...', B'...', X'...', U&'...', $tag$...$tag$
    Number,       // 42, 3.5, .5, 1e10, 0x1F (the sign is a separate Operator)
    Param,        // $1
    Operator,     // one or more of + - * / < > = ~ ! @ # % ^ & | ` ?
    Punct,        // ( ) [ ] , ; : .   (:: is reported as one Punct token)
    Comment,      // -- ... or /* ... */
};

struct Token {
    TokenKind kind;
    std::size_t begin;  // byte offsets into the text, [begin, end)
    std::size_t end;
    int depth;  // parenthesis depth at the token; '(' and ')' carry the
                // depth of the enclosing level
};

// Splits the text into tokens; whitespace is dropped, comments are kept as
// Comment tokens so callers can decide.
std::vector<Token> tokenize(std::string_view text);

// The text of a token.
inline std::string_view token_text(std::string_view text, const Token& t) {
    return text.substr(t.begin, t.end - t.begin);
}

// The name an identifier token stands for: a Word folded to lower case, a
// QuotedIdent without its quotes (doubled quotes undone); other tokens as
// written.
std::string identifier_name(std::string_view text, const Token& t);

// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);

// True if the token is the Word `keyword` (case-insensitive).
bool is_keyword(std::string_view text, const Token& t, std::string_view keyword);

// The text with comments replaced by a single space (strings untouched).
std::string strip_comments(std::string_view text);

// Number of literal constants outside comments: strings, numbers, and the
// keywords TRUE/FALSE. NULL is not counted (it is not a parameter candidate).
std::size_t count_literals(std::string_view text);

// True if the text holds exactly one statement: no top-level ';' followed by
// anything but whitespace, comments or more ';'. Empty text → false.
bool is_single_statement(std::string_view text);

// Byte offset of the first occurrence of the keyword (a Word, case-insensitive)
// at parenthesis depth `depth` at or after byte offset `from`, if any.
// A keyword made of several words ("ORDER BY", "NOT IN") matches those words
// as consecutive tokens with anything (comments) only between them.
std::optional<std::size_t> find_keyword(std::string_view text, std::string_view keyword,
                                        std::size_t from = 0, int depth = 0);

// Offset of the ')' that closes the '(' at `open`, if the text has one there
// and it is closed.
std::optional<std::size_t> matching_paren(std::string_view text, std::size_t open);

// The text without leading/trailing ASCII whitespace.
std::string_view trim(std::string_view text);

// An identifier as PostgreSQL would need it spelt: unchanged when it is a
// lower-case simple name that is not a reserved keyword, else double-quoted
// with embedded quotes doubled.
std::string quote_ident(std::string_view name);

// "schema.name" with each part quoted as needed; the schema is left out when
// empty.
std::string qualified_name(std::string_view schema, std::string_view name);

}  // namespace pothos::core::sql
