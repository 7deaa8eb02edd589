// advisor/select.h -- choosing a set of indexes, not a list.
//
// Greedy by benefit per byte: each round, every remaining candidate is
// priced against the indexes chosen so far (the statements it could change
// are re-planned with the chosen set plus the candidate); the one with the
// largest net saving (calls x cost reduction minus the write cost it adds)
// per byte of index wins, provided its saving outweighs its write cost and
// is at least min_improvement_pct of what the statements it speeds up cost
// with the indexes chosen so far. A candidate that would turn updates that
// are HOT today into non-HOT ones (it indexes a column they assign: every
// such update then writes into every index of the table) must instead save
// min_improvement_pct of what those statements cost today: a refinement that
// only shaves a little off what a chosen index already gained does not get
// to slow the table's updates down. Prefix rule: a candidate that an existing index or a chosen index
// already serves (advisor/model.h serves()) is dropped, and a chosen index
// that a wider chosen one serves is removed. Then each chosen index is
// swapped for a candidate of its table with the same leading key when the
// table's indexes then save more net of their writes (the per-byte score
// prefers the smaller of two indexes serving the same statements; the wider
// one may serve more). At the end each chosen index is
// priced again against all the others (its marginal benefit in the final
// set) and dropped if it no longer pays.
#pragma once

#include <functional>
#include <vector>

#include "core/advisor/model.h"

namespace pothos::core::advisor {

struct SelectStatement {
    uint64_t queryid = 0;
    double calls = 0;
    std::vector<uint32_t> relids;  // relations it reads
    // Measured execution time of those calls (ms). When known, a plan cost
    // change counts as that share of it: savings are in milliseconds (and
    // write_cost must be too); else in plan cost units x calls.
    double exec_ms = 0;
};

struct SelectionInput {
    std::vector<Candidate> candidates;
    std::vector<double> bytes;       // per candidate: estimated size
    std::vector<double> write_cost;  // per candidate: cost of the workload's writes to maintain it
    std::vector<double> write_rows;  // per candidate: index entries those writes add (for the output)
    std::vector<bool> breaks_hot;    // per candidate: some update would stop being HOT (empty: none)
    std::vector<SelectStatement> statements;
    std::vector<IndexShape> existing;  // indexes the tables have now
};

// Plan cost of statement `stmt` with the candidates `set` (positions in
// SelectionInput::candidates) pretended to exist; negative if it failed.
using CostOracle = std::function<double(const std::vector<size_t>& set, size_t stmt)>;

struct SelectOptions {
    double min_improvement_pct = 10;
    size_t max_indexes = 10;
    // A statement counts as sped up when its cost drops by more than this fraction.
    double min_statement_gain = 0.001;
};

struct Choice {
    size_t candidate = 0;
    std::vector<size_t> statements;  // sped up by it
    double cost_before = 0;          // call-weighted mean plan cost of those today (no new index)
    double cost_after = 0;           // and with it and the other chosen indexes
    double saving = 0;               // what it saves the statements on top of the others (see exec_ms)
    double write_cost = 0;
    double improvement_pct = 0;      // 100 x saving / (sum of calls x cost today)
    double gain_pct = 0;             // 100 x saving / (sum of calls x cost with the others)
};

std::vector<Choice> select_indexes(const SelectionInput& in, const CostOracle& oracle,
                                   const SelectOptions& options = SelectOptions{});

}  // namespace pothos::core::advisor
