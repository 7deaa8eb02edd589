#include "core/common/sql_text.h"

#include <algorithm>

namespace pothos::core::sql {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c) || c == '$'; }
bool is_op_char(char c) {
    constexpr std::string_view kOperatorChars = "+-*/<>=~!@#%^&|`?";
    return kOperatorChars.find(c) != std::string_view::npos;
}
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// End of a quoted token ('...' string or "..." identifier) whose opening
// quote is at `open`: a doubled quote stands for itself, and in E'...'
// strings a backslash escapes the next byte.
std::size_t scan_quoted(std::string_view s, std::size_t open, bool backslash_escapes) {
    const char quote = s[open];
    std::size_t i = open + 1;
    while (i < s.size()) {
        char c = s[i];
        if (backslash_escapes && c == '\\') {
            i += 2;
            continue;
        }
        if (c == quote) {
            if (i + 1 < s.size() && s[i + 1] == quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        ++i;
    }
    return s.size();
}

// If a dollar-quote delimiter ($$ or $tag$) starts at i, its length.
std::size_t dollar_tag_length(std::string_view s, std::size_t i) {
    if (i >= s.size() || s[i] != '$') return 0;
    std::size_t j = i + 1;
    if (j < s.size() && is_ident_start(s[j])) {
        ++j;
        while (j < s.size() && is_ident_char(s[j]) && s[j] != '$') ++j;
    }
    if (j < s.size() && s[j] == '$') return j - i + 1;
    return 0;
}

std::size_t scan_block_comment(std::string_view s, std::size_t i) {
    int nesting = 0;
    while (i < s.size()) {
        if (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            ++nesting;
            i += 2;
        } else if (s[i] == '*' && i + 1 < s.size() && s[i + 1] == '/') {
            --nesting;
            i += 2;
            if (nesting == 0) return i;
        } else {
            ++i;
        }
    }
    return s.size();
}

std::size_t scan_number(std::string_view s, std::size_t i) {
    if (s[i] == '0' && i + 1 < s.size()) {
        char p = lower(s[i + 1]);
        if (p == 'x' || p == 'o' || p == 'b') {
            std::size_t j = i + 2;
            while (j < s.size() && (is_ident_char(s[j]) && s[j] != '$')) ++j;
            return j;
        }
    }
    std::size_t j = i;
    while (j < s.size() && is_digit(s[j])) ++j;
    if (j < s.size() && s[j] == '.' && !(j + 1 < s.size() && s[j + 1] == '.')) {
        ++j;
        while (j < s.size() && is_digit(s[j])) ++j;
    }
    if (j < s.size() && lower(s[j]) == 'e') {
        std::size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && is_digit(s[k])) {
            while (k < s.size() && is_digit(s[k])) ++k;
            j = k;
        }
    }
    return j;
}

bool starts_comment(std::string_view s, std::size_t i) {
    return i + 1 < s.size() &&
           ((s[i] == '-' && s[i + 1] == '-') || (s[i] == '/' && s[i + 1] == '*'));
}

// Keywords that quote_ident must quote (PostgreSQL's reserved, type/function
// name and column name keyword categories).
// clang-format off
constexpr std::string_view kQuotedKeywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character",
    "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
    "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc",
    "distinct", "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float",
    "for", "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having",
    "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into",
    "is", "isnull", "join", "lateral", "leading", "least", "left", "like", "limit", "localtime",
    "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null",
    "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps",
    "overlay", "placing", "position", "precision", "primary", "real", "references", "returning",
    "right", "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring",
    "symmetric", "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat",
    "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose",
    "when", "where", "window", "with",
};
// clang-format on

}  // namespace

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    int depth = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (is_space(c)) {
            ++i;
            continue;
        }
        std::size_t start = i;
        TokenKind kind;
        int token_depth = depth;
        if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
            while (i < s.size() && s[i] != '\n') ++i;
            kind = TokenKind::Comment;
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            i = scan_block_comment(s, i);
            kind = TokenKind::Comment;
        } else if (c == '\'') {
            i = scan_quoted(s, i, false);
            kind = TokenKind::String;
        } else if (c == '"') {
            i = scan_quoted(s, i, false);
            kind = TokenKind::QuotedIdent;
        } else if (c == '$' && i + 1 < s.size() && is_digit(s[i + 1])) {
            ++i;
            while (i < s.size() && is_digit(s[i])) ++i;
            kind = TokenKind::Param;
        } else if (std::size_t tag = dollar_tag_length(s, i); tag > 0) {
            std::string_view delim = s.substr(i, tag);
            std::size_t close = s.find(delim, i + tag);
            i = close == std::string_view::npos ? s.size() : close + tag;
            kind = TokenKind::String;
        } else if (is_digit(c) || (c == '.' && i + 1 < s.size() && is_digit(s[i + 1]))) {
            i = scan_number(s, i);
            kind = TokenKind::Number;
        } else if (is_ident_start(c)) {
            // String prefixes: E'..', B'..', X'..', N'..', U&'..' and U&"..".
            char l = lower(c);
            if ((l == 'e' || l == 'b' || l == 'x' || l == 'n') && i + 1 < s.size() &&
                s[i + 1] == '\'') {
                i = scan_quoted(s, i + 1, l == 'e');
                kind = TokenKind::String;
            } else if (l == 'u' && i + 2 < s.size() && s[i + 1] == '&' &&
                       (s[i + 2] == '\'' || s[i + 2] == '"')) {
                if (s[i + 2] == '\'') {
                    i = scan_quoted(s, i + 2, false);
                    kind = TokenKind::String;
                } else {
                    i = scan_quoted(s, i + 2, false);
                    kind = TokenKind::QuotedIdent;
                }
            } else {
                while (i < s.size() && is_ident_char(s[i])) ++i;
                kind = TokenKind::Word;
            }
        } else if (is_op_char(c)) {
            while (i < s.size() && is_op_char(s[i]) && !(i > start && starts_comment(s, i))) ++i;
            kind = TokenKind::Operator;
        } else {
            if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
                i += 2;
            } else {
                ++i;
            }
            kind = TokenKind::Punct;
            if (c == '(') {
                ++depth;
            } else if (c == ')') {
                depth = depth > 0 ? depth - 1 : 0;
                token_depth = depth;
            }
        }
        out.push_back(Token{kind, start, i, token_depth});
    }
    return out;
}

std::string identifier_name(std::string_view text, const Token& t) {
    std::string_view raw = token_text(text, t);
    std::string out;
    out.reserve(raw.size());
    if (t.kind == TokenKind::QuotedIdent) {
        // Skip the opening quote (after a U& prefix) and the closing one.
        std::size_t open = raw.find('"');
        for (std::size_t i = open + 1; i + 1 < raw.size(); ++i) {
            out += raw[i];
            if (raw[i] == '"') ++i;
        }
        return out;
    }
    if (t.kind != TokenKind::Word) return std::string(raw);
    for (char c : raw) out += lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

bool is_keyword(std::string_view text, const Token& t, std::string_view keyword) {
    return t.kind == TokenKind::Word && iequals(token_text(text, t), keyword);
}

std::string strip_comments(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    for (const Token& t : tokenize(text)) {
        if (t.kind != TokenKind::Comment) continue;
        out.append(text.substr(pos, t.begin - pos));
        out.push_back(' ');
        pos = t.end;
    }
    out.append(text.substr(pos));
    return out;
}

std::size_t count_literals(std::string_view text) {
    std::size_t n = 0;
    for (const Token& t : tokenize(text)) {
        if (t.kind == TokenKind::String || t.kind == TokenKind::Number ||
            is_keyword(text, t, "true") || is_keyword(text, t, "false")) {
            ++n;
        }
    }
    return n;
}

bool is_single_statement(std::string_view text) {
    bool seen_content = false;
    bool seen_terminator = false;
    for (const Token& t : tokenize(text)) {
        if (t.kind == TokenKind::Comment) continue;
        bool semicolon = t.kind == TokenKind::Punct && token_text(text, t) == ";";
        if (semicolon) {
            if (!seen_content) return false;  // ";" before any statement
            seen_terminator = true;
        } else {
            if (seen_terminator) return false;
            seen_content = true;
        }
    }
    return seen_content;
}

std::optional<std::size_t> find_keyword(std::string_view text, std::string_view keyword,
                                        std::size_t from, int depth) {
    std::vector<std::string_view> words;
    for (std::size_t i = 0; i < keyword.size();) {
        while (i < keyword.size() && is_space(keyword[i])) ++i;
        std::size_t j = i;
        while (j < keyword.size() && !is_space(keyword[j])) ++j;
        if (j > i) words.push_back(keyword.substr(i, j - i));
        i = j;
    }
    if (words.empty()) return std::nullopt;
    std::vector<Token> tokens = tokenize(text);
    tokens.erase(std::remove_if(tokens.begin(), tokens.end(),
                                [](const Token& t) { return t.kind == TokenKind::Comment; }),
                 tokens.end());
    for (std::size_t i = 0; i + words.size() <= tokens.size(); ++i) {
        if (tokens[i].begin < from) continue;
        bool match = true;
        for (std::size_t w = 0; w < words.size() && match; ++w) {
            const Token& t = tokens[i + w];
            match = t.depth == depth && is_keyword(text, t, words[w]);
        }
        if (match) return tokens[i].begin;
    }
    return std::nullopt;
}

std::optional<std::size_t> matching_paren(std::string_view text, std::size_t open) {
    if (open >= text.size() || text[open] != '(') return std::nullopt;
    std::vector<Token> tokens = tokenize(text);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i].begin != open) continue;
        if (tokens[i].kind != TokenKind::Punct) return std::nullopt;  // inside a string
        int level = tokens[i].depth;
        for (std::size_t j = i + 1; j < tokens.size(); ++j) {
            if (tokens[j].kind == TokenKind::Punct && text[tokens[j].begin] == ')' &&
                tokens[j].depth == level) {
                return tokens[j].begin;
            }
        }
        return std::nullopt;
    }
    return std::nullopt;
}

std::string_view trim(std::string_view text) {
    std::size_t b = 0;
    std::size_t e = text.size();
    while (b < e && is_space(text[b])) ++b;
    while (e > b && is_space(text[e - 1])) --e;
    return text.substr(b, e - b);
}

std::string quote_ident(std::string_view name) {
    bool plain = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
    for (char c : name) {
        if (!plain) break;
        plain = (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '$';
    }
    if (plain) {
        for (std::string_view k : kQuotedKeywords) {
            if (k == name) {
                plain = false;
                break;
            }
        }
    }
    if (plain) return std::string(name);
    std::string out;
    out.reserve(name.size() + 2);
    out.push_back('"');
    for (char c : name) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string qualified_name(std::string_view schema, std::string_view name) {
    if (schema.empty()) return quote_ident(name);
    return quote_ident(schema) + "." + quote_ident(name);
}

}  // namespace pothos::core::sql
