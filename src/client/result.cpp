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
    return PQgetisnull(res_.get(), row, column) != 0;
}

std::string_view Result::get(int row, int column) const {
    check(row, column);
    return {PQgetvalue(res_.get(), row, column),
            static_cast<std::size_t>(PQgetlength(res_.get(), row, column))};
}

std::optional<std::string> Result::value(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return std::string(get(row, column));
}

std::int64_t Result::as_int(int row, int column) const {
    std::string v(get(row, column));
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end) throw std::invalid_argument("result: not an integer: " + v);
    return n;
}

double Result::as_double(int row, int column) const {
    std::string v(get(row, column));
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end) throw std::invalid_argument("result: not a number: " + v);
    return d;
}

bool Result::as_bool(int row, int column) const {
    auto v = get(row, column);
    if (v == "t" || v == "true") return true;
    if (v == "f" || v == "false") return false;
    throw std::invalid_argument("result: not a boolean: " + std::string(v));
}

std::int64_t Result::affected_rows() const {
    const char* n = res_ ? PQcmdTuples(res_.get()) : "";
    return *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::string Result::command_status() const { return res_ ? PQcmdStatus(res_.get()) : ""; }

}  // namespace pothos
