#include "sql_split.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pothos::cli {
namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The end of a dollar-quote opening tag starting at sql[i] == '$', or npos.
std::size_t dollar_tag_end(std::string_view sql, std::size_t i) {
    std::size_t j = i + 1;
    if (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) return std::string_view::npos;
    while (j < sql.size() && ident_char(sql[j])) ++j;
    return j < sql.size() && sql[j] == '$' ? j + 1 : std::string_view::npos;
}

}  // namespace

std::vector<SqlStatement> split_sql(std::string_view sql) {
    std::vector<SqlStatement> out;
    std::size_t code_start = 0, i = 0;
    int line = 1, start_line = -1, depth = 0;
    bool has_code = false;  // the current piece holds more than blanks and comments
    auto flush = [&](std::size_t end) {
        if (has_code) out.push_back({std::string(sql.substr(code_start, end - code_start)), start_line});
        has_code = false;
        start_line = -1;
        depth = 0;
    };
    auto mark = [&] {
        if (!has_code) {
            has_code = true;
            start_line = line;
            code_start = i;
        }
    };
    auto advance_to = [&](std::size_t end) {  // skips sql[i, end), counting lines
        for (; i < end && i < sql.size(); ++i)
            if (sql[i] == '\n') ++line;
    };
    while (i < sql.size()) {
        char c = sql[i];
        char n = i + 1 < sql.size() ? sql[i + 1] : '\0';
        if (c == '-' && n == '-') {
            std::size_t e = sql.find('\n', i);
            advance_to(e == std::string_view::npos ? sql.size() : e);
        } else if (c == '/' && n == '*') {
            int nest = 0;
            std::size_t j = i;
            while (j < sql.size()) {
                if (sql[j] == '/' && j + 1 < sql.size() && sql[j + 1] == '*') { ++nest; j += 2; continue; }
                if (sql[j] == '*' && j + 1 < sql.size() && sql[j + 1] == '/') {
                    j += 2;
                    if (--nest == 0) break;
                    continue;
                }
                ++j;
            }
            advance_to(j);
        } else if (c == '\'' || c == '"') {
            mark();
            bool backslash = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                             (i < 2 || !ident_char(sql[i - 2]));
            std::size_t j = i + 1;
            while (j < sql.size()) {
                if (backslash && sql[j] == '\\') { j += 2; continue; }
                if (sql[j] == c) {
                    if (j + 1 < sql.size() && sql[j + 1] == c) { j += 2; continue; }
                    break;
                }
                ++j;
            }
            advance_to(j + 1);
        } else if (c == '$' && (i == 0 || !ident_char(sql[i - 1])) &&
                   dollar_tag_end(sql, i) != std::string_view::npos) {
            mark();
            std::size_t te = dollar_tag_end(sql, i);
            std::string_view tag = sql.substr(i, te - i);
            std::size_t close = sql.find(tag, te);
            advance_to(close == std::string_view::npos ? sql.size() : close + tag.size());
        } else if (c == ';' && depth == 0) {
            flush(i);
            ++i;
        } else {
            if (c == '(') ++depth;
            else if (c == ')' && depth > 0) --depth;
            if (!std::isspace(static_cast<unsigned char>(c))) mark();
            advance_to(i + 1);
        }
    }
    flush(sql.size());
    return out;
}

int line_at_position(std::string_view text, int first_line, int position) {
    int line = first_line, chars = 0;
    for (char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && ++chars >= position) break;
        if (c == '\n') ++line;
    }
    return line;
}

namespace {

void read_script(const std::filesystem::path& path, int depth, std::vector<SqlSource>& out) {
    if (depth > 16) throw std::runtime_error(path.string() + ": \\i includes nested more than 16 deep");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::string line, piece;
    int line_no = 0, piece_line = 1;
    while (std::getline(in, line)) {
        ++line_no;
        std::size_t b = line.find_first_not_of(" \t");
        if (b != std::string::npos && line[b] == '\\') {
            std::istringstream words(line.substr(b));
            std::string cmd, arg;
            words >> cmd >> arg;
            if (cmd == "\\i" || cmd == "\\include" || cmd == "\\ir" || cmd == "\\include_relative") {
                if (arg.size() >= 2 && arg.front() == '\'' && arg.back() == '\'') arg = arg.substr(1, arg.size() - 2);
                std::filesystem::path target = arg;
                if ((cmd == "\\ir" || cmd == "\\include_relative") && target.is_relative())
                    target = path.parent_path() / target;
                out.push_back({path.string(), piece, piece_line});
                read_script(target, depth + 1, out);
                piece.clear();
                piece_line = line_no + 1;
                continue;
            }
            throw std::runtime_error(path.string() + ":" + std::to_string(line_no) + ": psql meta-command " + cmd +
                                     " is not supported (only \\i and \\ir are read)");
        }
        piece += line + "\n";
    }
    out.push_back({path.string(), piece, piece_line});
}

}  // namespace

std::vector<SqlSource> read_sql_script(const std::string& path) {
    std::vector<SqlSource> out;
    read_script(path, 0, out);
    return out;
}

}  // namespace pothos::cli
