// The result of one statement: a shared, read-only view over a libpq PGresult.
//
// Values are read as C++ types with get<T>(row, column) or row.get<T>(column),
// the column given by index or by name. Conversions (ValueTraits) are
// checked and locale-independent: a NULL read as a non-optional type, a
// number that does not fit, or text that is not a number raises
// ConversionError naming the column. get<std::optional<T>> gives
// std::nullopt for NULL. get() without a type is the text as a
// std::string_view into the result.
//
//   for (const pothos::Row& row : db.query("SELECT id, name, score FROM t"))
//       use(row.get<std::int64_t>("id"), row.get<std::string>("name"),
//           row.get<std::optional<double>>("score"));
//
// Thread safety: a Result is immutable; copies share the PGresult (reference
// counted), and any number of threads may read one at the same time. A Row
// is a view: valid while a Result holding its PGresult lives.
#pragma once

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <pothos/value_traits.hpp>

struct pg_result;

namespace pothos {

class Result;

class Row {
public:
    Row(const Result& result, int index) noexcept : result_(&result), index_(index) {}
    int index() const noexcept { return index_; }
    int size() const noexcept;
    bool is_null(int column) const;
    bool is_null(std::string_view column) const;
    template <class T = std::string_view>
    T get(int column) const;
    template <class T = std::string_view>
    T get(std::string_view column) const;

private:
    const Result* result_;
    int index_;
};

class Result {
public:
    Result() = default;
    explicit Result(pg_result* owned);  // takes ownership

    bool valid() const noexcept { return res_ != nullptr; }
    int rows() const noexcept;
    int columns() const noexcept;
    bool empty() const noexcept { return rows() == 0; }
    std::string column_name(int column) const;
    int column_index(std::string_view name) const;  // throws std::out_of_range
    bool is_null(int row, int column) const;

    // The value as T; T = std::optional<U> reads NULL as std::nullopt.
    template <class T = std::string_view>
    T get(int row, int column) const;
    template <class T = std::string_view>
    T get(int row, std::string_view column) const {
        return get<T>(row, column_index(column));
    }
    std::optional<std::string> value(int row, int column) const {
        return get<std::optional<std::string>>(row, column);
    }
    // Shorthands for get<std::int64_t>, get<double>, get<bool>.
    std::int64_t as_int(int row, int column) const { return get<std::int64_t>(row, column); }
    double as_double(int row, int column) const { return get<double>(row, column); }
    bool as_bool(int row, int column) const { return get<bool>(row, column); }

    Row row(int index) const;  // throws std::out_of_range
    Row operator[](int index) const { return row(index); }

    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Row;
        using difference_type = int;
        using pointer = void;
        using reference = Row;
        iterator(const Result* r, int i) noexcept : r_(r), i_(i) {}
        Row operator*() const noexcept { return Row(*r_, i_); }
        iterator& operator++() noexcept {
            ++i_;
            return *this;
        }
        iterator operator++(int) noexcept {
            iterator old = *this;
            ++i_;
            return old;
        }
        bool operator==(const iterator& o) const noexcept { return i_ == o.i_ && r_ == o.r_; }
        bool operator!=(const iterator& o) const noexcept { return !(*this == o); }

    private:
        const Result* r_;
        int i_;
    };
    iterator begin() const noexcept { return iterator(this, 0); }
    iterator end() const noexcept { return iterator(this, rows()); }

    std::int64_t affected_rows() const;  // INSERT/UPDATE/DELETE count
    std::string command_status() const;
    pg_result* native() const noexcept { return res_.get(); }

private:
    void check(int row, int column) const;
    std::string_view text(int row, int column) const noexcept;  // checked by the caller
    [[noreturn]] void conversion_error(int column, const ConversionError& e) const;
    [[noreturn]] void null_error(int column, const char* type) const;
    bool null_at(int row, int column) const noexcept;
    std::shared_ptr<pg_result> res_;
};

template <class T>
T Result::get(int row, int column) const {
    check(row, column);
    if constexpr (detail::is_optional<T>::value) {
        if (null_at(row, column)) return std::nullopt;
        return get<typename T::value_type>(row, column);
    } else {
        if (null_at(row, column)) null_error(column, "a non-optional type (use std::optional)");
        try {
            return ValueTraits<T>::from_text(text(row, column));
        } catch (const ConversionError& e) {
            conversion_error(column, e);
        }
    }
}

inline int Row::size() const noexcept { return result_->columns(); }
inline bool Row::is_null(int column) const { return result_->is_null(index_, column); }
inline bool Row::is_null(std::string_view column) const {
    return result_->is_null(index_, result_->column_index(column));
}
template <class T>
T Row::get(int column) const {
    return result_->get<T>(index_, column);
}
template <class T>
T Row::get(std::string_view column) const {
    return result_->get<T>(index_, result_->column_index(column));
}

}  // namespace pothos
