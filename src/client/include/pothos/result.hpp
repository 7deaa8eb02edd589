// The result of one statement: a shared, read-only view over a libpq PGresult.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct pg_result;

namespace pothos {

class Result {
public:
    Result() = default;
    explicit Result(pg_result* owned);  // takes ownership

    bool valid() const noexcept { return res_ != nullptr; }
    int rows() const noexcept;
    int columns() const noexcept;
    std::string column_name(int column) const;
    int column_index(std::string_view name) const;  // throws std::out_of_range
    bool is_null(int row, int column) const;
    std::string_view get(int row, int column) const;  // "" for NULL
    std::optional<std::string> value(int row, int column) const;
    std::int64_t as_int(int row, int column) const;
    double as_double(int row, int column) const;
    bool as_bool(int row, int column) const;
    std::int64_t affected_rows() const;  // INSERT/UPDATE/DELETE count
    std::string command_status() const;
    pg_result* native() const noexcept { return res_.get(); }

private:
    void check(int row, int column) const;
    std::shared_ptr<pg_result> res_;
};

}  // namespace pothos
