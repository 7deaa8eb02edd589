// advisor/cost.h -- the index advisor's arithmetic: the size of a btree
// index, what maintaining it costs the workload's writes, and the
// workload-weighted benefit of a plan cost change.
//
// Units are the planner's cost units (seq_page_cost = 1), so savings from
// re-planning and write costs compare directly.
//
// Size: leaf tuples of MAXALIGN(8-byte header + key widths) plus a 4-byte line
// pointer, pages filled to the fillfactor (90 %) of the space left by the
// page header and the btree special area, upper levels with the same fanout,
// plus the metapage.
//
// Write cost: every index entry written costs one leaf page dirtied and
// logged (kWritePageCost) plus the descent (kLevelCost per level). A new
// index gets an entry for every inserted row, every deleted row (removed
// later by VACUUM) and every update that is not HOT today (it touches a
// column some existing index covers: the new row version goes into every
// index). An update that is HOT today and touches a column of the new index
// (key or predicate) stops being HOT: from then on it writes an entry into
// every index of the table, the existing ones too.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/advisor/model.h"

namespace pothos::core::advisor {

struct BtreeSize {
    double leaf_pages = 1;
    double pages = 2;     // with upper levels and metapage
    int tree_height = 0;  // levels above the leaves
    double bytes = 16384;
    double tuple_bytes = 16;  // one leaf entry with its line pointer
};

// tuples: rows the index holds (the table's rows times the predicate's
// selectivity for a partial index); key_widths: average bytes per key.
BtreeSize estimate_btree_size(double tuples, const std::vector<double>& key_widths, int block_size = 8192,
                              double fillfactor = 0.9);

constexpr double kWritePageCost = 1.0;
constexpr double kLevelCost = 0.05;

double write_cost_per_row(const BtreeSize& size);

// The rows written to a table by the workload.
struct TableWrites {
    double inserted = 0;
    double deleted = 0;
    // Measured execution time (ms) of the statements that inserted those
    // rows, and of every statement writing the table.
    double insert_ms = 0;
    double write_ms = 0;
    // Rows updated, by the set of columns the UPDATE assigns.
    std::vector<std::pair<std::vector<int16_t>, double>> updated;
    // The table's existing indexes: how many, and every column they cover
    // (keys, INCLUDE, expressions and predicates).
    int index_count = 0;
    std::vector<int16_t> indexed_columns;
};

// Index entries the workload's writes add when an index of that shape
// exists (see above).
double index_write_rows(const TableWrites& w, const IndexShape& s);

// Time (ms) one index entry costs the workload's writes: the measured time
// per row written (INSERTs when there are, else every write) shared between
// the heap tuple and the entries of the existing indexes; 0 without writes.
double index_entry_ms(const TableWrites& w);
// index_write_rows x index_entry_ms: what maintaining the index would cost
// the workload's writes, over the same window as the reads' times.
double index_write_ms(const TableWrites& w, const IndexShape& s);

// WAL of one row written: a record header with its block reference, then
// the tuple.
constexpr double kWalRecordBytes = 52;
constexpr double kHeapTupleHeader = 24;
// Estimated WAL bytes an INSERT writes per row today (heap tuple of
// row_width bytes of data, one entry in each of index_count indexes of
// about index_tuple_bytes), and what an index of entries of tuple_bytes
// adds to it, in percent.
double insert_wal_bytes(double row_width, int index_count, double index_tuple_bytes = 20);
double wal_increase_pct(double row_width, int index_count, double tuple_bytes);

// True if some update that is HOT today would stop being HOT with an index
// of that shape (it assigns a key or predicate column of it).
bool breaks_hot_updates(const TableWrites& w, const IndexShape& s);

// Call-weighted mean of per-statement costs: sum(calls * cost) / sum(calls).
double weighted_mean(const std::vector<double>& calls, const std::vector<double>& costs);

// 100 * (before - after) / before, 0 when before <= 0.
double improvement_pct(double before, double after);

}  // namespace pothos::core::advisor
