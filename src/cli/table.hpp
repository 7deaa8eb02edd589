// Aligned text tables for a terminal or a pipe: a header, a rule, rows;
// numbers right-aligned, text left-aligned; optional ANSI colour for the
// header. Plain C++, no I/O.
#pragma once

#include <string>
#include <vector>

namespace pothos::cli {

enum class Align { Left, Right };

struct Column {
    std::string header;
    Align align = Align::Left;
};

class TextTable {
public:
    explicit TextTable(std::vector<Column> columns);
    // A row must have as many cells as there are columns (std::invalid_argument otherwise).
    void add_row(std::vector<std::string> cells);
    std::size_t rows() const { return rows_.size(); }
    // The table, each line ending in '\n'; `colour` makes the header bold.
    std::string render(bool colour) const;

private:
    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

// Wraps text in an ANSI SGR sequence when `colour` is set: code "1" bold,
// "31" red, "32" green, "33" yellow, "2" dim.
std::string paint(const std::string& text, const char* code, bool colour);

}  // namespace pothos::cli
