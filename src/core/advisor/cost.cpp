// advisor/cost.cpp -- see advisor/cost.h.
#include "core/advisor/cost.h"

#include <algorithm>
#include <cmath>

namespace pothos::core::advisor {

namespace {
constexpr double kPageHeader = 24;
constexpr double kBtreeSpecial = 16;
constexpr double kLinePointer = 4;
constexpr double kTupleHeader = 8;
double maxalign(double n) { return std::ceil(n / 8.0) * 8.0; }
}  // namespace

BtreeSize estimate_btree_size(double tuples, const std::vector<double>& key_widths, int block_size,
                              double fillfactor) {
    double data = 0;
    for (double w : key_widths) data += std::max(1.0, w);
    double tuple = maxalign(kTupleHeader + data) + kLinePointer;
    double usable = (block_size - kPageHeader - kBtreeSpecial) * fillfactor;
    double per_page = std::max(2.0, std::floor(usable / tuple));
    BtreeSize s;
    s.leaf_pages = std::max(1.0, std::ceil(std::max(0.0, tuples) / per_page));
    double level = s.leaf_pages, upper = 0;
    int height = 0;
    // Upper pages are filled completely (fillfactor applies to leaves).
    double fanout = std::max(2.0, std::floor((block_size - kPageHeader - kBtreeSpecial) / tuple));
    while (level > 1) {
        level = std::ceil(level / fanout);
        upper += level;
        height++;
    }
    s.tree_height = height;
    s.tuple_bytes = tuple;
    s.pages = s.leaf_pages + upper + 1;
    s.bytes = s.pages * block_size;
    return s;
}

double write_cost_per_row(const BtreeSize& size) { return kWritePageCost + kLevelCost * (size.tree_height + 1); }

namespace {

bool covers(const std::vector<int16_t>& cols, int16_t c) {
    for (int16_t x : cols)
        if (x == c) return true;
    return false;
}

// hot_today: no column of the update is indexed now; touches: it assigns a
// column of the new index.
void classify_update(const TableWrites& w, const std::vector<int16_t>& mine, const std::vector<int16_t>& cols,
                     bool* hot_today, bool* touches) {
    *hot_today = true;
    *touches = false;
    for (int16_t col : cols) {
        if (covers(w.indexed_columns, col)) *hot_today = false;
        if (covers(mine, col)) *touches = true;
    }
}

}  // namespace

double index_write_rows(const TableWrites& w, const IndexShape& s) {
    std::vector<int16_t> mine = shape_columns(s);
    double entries = w.inserted + w.deleted;
    for (const auto& u : w.updated) {
        bool hot_today, touches;
        classify_update(w, mine, u.first, &hot_today, &touches);
        if (!hot_today)
            entries += u.second;
        else if (touches)
            entries += u.second * (w.index_count + 1);
    }
    return entries;
}

double index_entry_ms(const TableWrites& w) {
    double per_row = 0;
    if (w.inserted > 0 && w.insert_ms > 0) {
        per_row = w.insert_ms / w.inserted;
    } else {
        double rows = w.inserted + w.deleted;
        for (const auto& u : w.updated) rows += u.second;
        if (rows <= 0 || w.write_ms <= 0) return 0;
        per_row = w.write_ms / rows;
    }
    return per_row / (1.0 + std::max(0, w.index_count));
}

double index_write_ms(const TableWrites& w, const IndexShape& s) { return index_write_rows(w, s) * index_entry_ms(w); }

double insert_wal_bytes(double row_width, int index_count, double index_tuple_bytes) {
    return kWalRecordBytes + kHeapTupleHeader + std::max(0.0, row_width) +
           std::max(0, index_count) * (kWalRecordBytes + index_tuple_bytes);
}

double wal_increase_pct(double row_width, int index_count, double tuple_bytes) {
    return 100.0 * (kWalRecordBytes + tuple_bytes) / insert_wal_bytes(row_width, index_count);
}

bool breaks_hot_updates(const TableWrites& w, const IndexShape& s) {
    std::vector<int16_t> mine = shape_columns(s);
    for (const auto& u : w.updated) {
        bool hot_today, touches;
        classify_update(w, mine, u.first, &hot_today, &touches);
        if (hot_today && touches && u.second > 0) return true;
    }
    return false;
}

double weighted_mean(const std::vector<double>& calls, const std::vector<double>& costs) {
    double n = 0, sum = 0;
    for (size_t i = 0; i < calls.size() && i < costs.size(); i++) {
        n += calls[i];
        sum += calls[i] * costs[i];
    }
    return n > 0 ? sum / n : 0;
}

double improvement_pct(double before, double after) {
    if (before <= 0) return 0;
    return 100.0 * (before - after) / before;
}

}  // namespace pothos::core::advisor
