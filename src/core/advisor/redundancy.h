// advisor/redundancy.h -- existing indexes that cost writes for nothing:
//   duplicate  same table, method, keys, INCLUDE columns and predicate as
//              another index (the one kept: primary key, then unique, then
//              the first by name);
//   prefix     a btree whose keys are the leading keys of another btree with
//              the same predicate (the wider one serves its lookups);
//              unique and primary-key indexes are kept, they enforce a rule;
//   unused     never scanned since the statistics were reset (not unique,
//              not primary key).
// Each index is reported once, under the first kind that applies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pothos::core::advisor {

struct ExistingIndex {
    uint32_t relid = 0;
    std::string name;
    std::string method = "btree";
    std::vector<std::string> keys;  // deparsed key columns with opclass/order
    std::string include;            // deparsed INCLUDE list
    std::string predicate;          // deparsed WHERE, empty if none
    bool unique = false;
    bool primary = false;
    int64_t scans = 0;
};

enum class RedundancyKind { Duplicate, Prefix, Unused };
const char* redundancy_kind_name(RedundancyKind k);

struct Redundancy {
    size_t index = 0;       // position in the input
    RedundancyKind kind = RedundancyKind::Unused;
    long covered_by = -1;   // position of the index that serves it, -1 if none
};

std::vector<Redundancy> find_redundant_indexes(const std::vector<ExistingIndex>& indexes);

}  // namespace pothos::core::advisor
