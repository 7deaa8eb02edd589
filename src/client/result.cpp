// Read access to a PGresult.
#include <pothos/result.hpp>

#include <cstdlib>
#include <stdexcept>

#include <libpq-fe.h>

namespace pothos {

Result::Result(pg_result* owned) : res_(owned, PQclear) {}

int Result::rows() const noexcept { return res_ ? PQntuples(res_.get()) : 0; }
int Result::columns() const noexcept { return res_ ? PQnfields(res_.get()) : 0; }

void Result::check(int row, int column) const {
    if (row < 0 || row >= rows() || column < 0 || column >= columns())
        throw std::out_of_range("result: no cell (" + std::to_string(row) + ", " +
                                std::to_string(column) + ")");
}

std::string Result::column_name(int column) const {
    if (column < 0 || column >= columns()) throw std::out_of_range("result: no such column");
    return PQfname(res_.get(), column);
}

int Result::column_index(std::string_view name) const {
    for (int c = 0; c < columns(); ++c)
        if (name == PQfname(res_.get(), c)) return c;
    throw std::out_of_range("result: no column named " + std::string(name));
}

bool Result::is_null(int row, int column) const {
    check(row, column);
    return null_at(row, column);
}

bool Result::null_at(int row, int column) const noexcept {
    return PQgetisnull(res_.get(), row, column) != 0;
}

std::string_view Result::text(int row, int column) const noexcept {
    return {PQgetvalue(res_.get(), row, column),
            static_cast<std::size_t>(PQgetlength(res_.get(), row, column))};
}

Row Result::row(int index) const {
    if (index < 0 || index >= rows())
        throw std::out_of_range("result: no row " + std::to_string(index));
    return Row(*this, index);
}

void Result::conversion_error(int column, const ConversionError& e) const {
    throw ConversionError(e.what(), PQfname(res_.get(), column));
}

void Result::null_error(int column, const char* type) const {
    throw ConversionError(std::string("NULL cannot be read as ") + type, PQfname(res_.get(), column));
}

std::int64_t Result::affected_rows() const {
    const char* n = res_ ? PQcmdTuples(res_.get()) : "";
    return *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::string Result::command_status() const { return res_ ? PQcmdStatus(res_.get()) : ""; }

}  // namespace pothos
