#include "table.hpp"

#include <algorithm>
#include <stdexcept>

#include "units.hpp"

namespace pothos::cli {

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

void TextTable::add_row(std::vector<std::string> cells) {
    if (cells.size() != columns_.size())
        throw std::invalid_argument("table row has " + std::to_string(cells.size()) +
                                    " cells, expected " + std::to_string(columns_.size()));
    rows_.push_back(std::move(cells));
}

std::string paint(const std::string& text, const char* code, bool colour) {
    if (!colour) return text;
    return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
}

std::string TextTable::render(bool colour) const {
    std::vector<std::size_t> width(columns_.size());
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        width[c] = display_width(columns_[c].header);
        for (const auto& r : rows_) width[c] = std::max(width[c], display_width(r[c]));
    }
    auto cell = [&](const std::string& s, std::size_t c) {
        std::string pad(width[c] - display_width(s), ' ');
        return columns_[c].align == Align::Right ? pad + s : s + pad;
    };
    auto line = [&](const std::vector<std::string>& cells, bool header) {
        std::string out;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (c) out += "  ";
            std::string text = cell(cells[c], c);
            // no trailing blanks on the last, left-aligned column
            if (c + 1 == cells.size() && columns_[c].align == Align::Left)
                text = cells[c];
            out += header ? paint(text, "1", colour) : text;
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };
    std::vector<std::string> headers;
    for (const auto& col : columns_) headers.push_back(col.header);
    std::string out = line(headers, true);
    std::string rule;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        if (c) rule += "  ";
        for (std::size_t i = 0; i < width[c]; ++i) rule += "-";
    }
    out += rule + "\n";
    for (const auto& r : rows_) out += line(r, false);
    return out;
}

}  // namespace pothos::cli
