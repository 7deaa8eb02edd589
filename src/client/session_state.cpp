// Reading a statement's possible effect on the session from its text, and
// the reset statements (DISCARD ALL's parts, without DEALLOCATE ALL).
#include "session_state.hpp"

namespace pothos::detail {
namespace {

// ASCII only, no locale: this runs on every statement a connection sends.
bool word_char(char c) {
    const char l = static_cast<char>(c | 0x20);
    return (l >= 'a' && l <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

bool equals(std::string_view word, std::string_view lower_text) {
    if (word.size() != lower_text.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
        if (lower(word[i]) != lower_text[i]) return false;
    return true;
}

bool starts_with(std::string_view word, std::string_view lower_prefix) {
    return word.size() >= lower_prefix.size() && equals(word.substr(0, lower_prefix.size()), lower_prefix);
}

bool contains(std::string_view word, std::string_view lower_part) {
    for (std::size_t i = 0; i + lower_part.size() <= word.size(); ++i)
        if (equals(word.substr(i, lower_part.size()), lower_part)) return true;
    return false;
}

// What any word of a statement may mean.
unsigned word_changes(std::string_view w) {
    if (w.size() < 4) return 0;
    switch (lower(w[0])) {
        case 't':
            return equals(w, "temp") || equals(w, "temporary") ? kTemp : 0;
        case 'p':
            if (equals(w, "pg_temp") || starts_with(w, "pg_temp_")) return kTemp;
            if ((starts_with(w, "pg_advisory") || starts_with(w, "pg_try_advisory")) &&
                !contains(w, "xact"))
                return kAdvisory;
            return 0;
        case 's':
            if (equals(w, "set_config")) return kSettings;
            return equals(w, "setval") ? kSequences : 0;
        case 'n':
            return equals(w, "nextval") ? kSequences : 0;
        default:
            return 0;
    }
}

// What the first word (and the one after it) of a statement may mean.
unsigned leading_changes(std::string_view first, std::string_view second) {
    if (first.size() < 2 || first.size() > 7) return 0;
    switch (lower(first[0])) {
        case 's':
            if (!equals(first, "set")) return 0;
            return equals(second, "local") || equals(second, "transaction") ||
                           equals(second, "constraints")
                       ? 0
                       : kSettings;
        case 'r':
            return equals(first, "reset") ? kSettings : 0;
        case 'l':
            return equals(first, "listen") ? kListen : 0;
        case 'p':
            return equals(first, "prepare") && !equals(second, "transaction") ? kPrepared : 0;
        case 'd':
            if (equals(first, "declare")) return kCursors;
            return equals(first, "do") ? kAllChanges : 0;
        case 'c':
            return equals(first, "call") ? kAllChanges : 0;
        default:
            return 0;
    }
}

}  // namespace

unsigned session_changes(std::string_view sql) noexcept {
    unsigned out = 0;
    std::string_view first, second;
    int words_in_statement = 0;
    std::size_t i = 0;
    const std::size_t n = sql.size();
    while (i < n) {
        const char c = sql[i];
        if (c == '-' && i + 1 < n && sql[i + 1] == '-') {  // comment to the end of the line
            while (i < n && sql[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            const auto end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? n : end + 2;
        } else if (c == ';') {
            out |= leading_changes(first, second);
            first = second = {};
            words_in_statement = 0;
            ++i;
        } else if (word_char(c)) {
            const std::size_t start = i;
            while (i < n && word_char(sql[i])) ++i;
            const std::string_view w = sql.substr(start, i - start);
            if (words_in_statement == 0) first = w;
            else if (words_in_statement == 1) second = w;
            ++words_in_statement;
            out |= word_changes(w);
        } else {
            ++i;
        }
    }
    return out | leading_changes(first, second);
}

std::string reset_statements(unsigned changes, const std::vector<std::string>& keep) {
    std::string sql;
    if (changes & kCursors) sql += "CLOSE ALL; ";
    if (changes & kSettings) sql += "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; ";
    if (changes & kListen) sql += "UNLISTEN *; ";
    if (changes & kAdvisory) sql += "SELECT pg_advisory_unlock_all(); ";
    if (changes & kTemp) sql += "DISCARD TEMP; ";
    if (changes & kSequences) sql += "DISCARD SEQUENCES; ";
    if (changes & kPrepared) {
        // The borrower's own prepared statements go; the library's (keep) stay.
        std::string names = "ARRAY[]::text[]";
        if (!keep.empty()) {
            names = "ARRAY[";
            for (std::size_t i = 0; i < keep.size(); ++i) {
                if (i) names += ',';
                names += "E'";
                for (char c : keep[i]) {
                    if (c == '\\' || c == '\'') names += c;
                    names += c;
                }
                names += '\'';
            }
            names += ']';
        }
        std::string tag = "$r$";  // a dollar-quote tag no name contains
        for (int k = 0; names.find(tag) != std::string::npos; ++k) tag = "$r" + std::to_string(k) + "$";
        sql += "DO " + tag + " DECLARE n text; BEGIN FOR n IN SELECT name FROM " +
               "pg_prepared_statements WHERE name <> ALL(" + names +
               ") LOOP EXECUTE format('DEALLOCATE %I', n); END LOOP; END " + tag + "; ";
    }
    return sql;
}

}  // namespace pothos::detail
