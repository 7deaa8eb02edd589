// advisor/redundancy.cpp -- see advisor/redundancy.h.
#include "core/advisor/redundancy.h"

namespace pothos::core::advisor {

const char* redundancy_kind_name(RedundancyKind k) {
    switch (k) {
    case RedundancyKind::Duplicate: return "duplicate";
    case RedundancyKind::Prefix: return "prefix";
    case RedundancyKind::Unused: return "unused";
    }
    return "unknown";
}

namespace {

bool same_definition(const ExistingIndex& a, const ExistingIndex& b) {
    return a.relid == b.relid && a.method == b.method && a.keys == b.keys && a.include == b.include &&
           a.predicate == b.predicate;
}

// True if a is kept in favour of b when both are the same index.
bool keep_first(const ExistingIndex& a, const ExistingIndex& b) {
    if (a.primary != b.primary) return a.primary;
    if (a.unique != b.unique) return a.unique;
    return a.name < b.name;
}

bool strict_prefix(const ExistingIndex& narrow, const ExistingIndex& wide) {
    if (narrow.relid != wide.relid || narrow.method != "btree" || wide.method != "btree") return false;
    if (narrow.predicate != wide.predicate || narrow.keys.size() >= wide.keys.size()) return false;
    for (size_t i = 0; i < narrow.keys.size(); i++)
        if (narrow.keys[i] != wide.keys[i]) return false;
    return true;
}

}  // namespace

std::vector<Redundancy> find_redundant_indexes(const std::vector<ExistingIndex>& ix) {
    std::vector<Redundancy> out;
    std::vector<bool> reported(ix.size(), false);
    for (size_t i = 0; i < ix.size(); i++) {
        for (size_t j = 0; j < ix.size(); j++) {
            if (i == j || reported[j] || !same_definition(ix[i], ix[j])) continue;
            if (keep_first(ix[i], ix[j]) || ix[i].primary) continue;
            out.push_back({i, RedundancyKind::Duplicate, static_cast<long>(j)});
            reported[i] = true;
            break;
        }
    }
    for (size_t i = 0; i < ix.size(); i++) {
        if (reported[i] || ix[i].unique || ix[i].primary) continue;
        for (size_t j = 0; j < ix.size(); j++) {
            if (i == j || !strict_prefix(ix[i], ix[j])) continue;
            out.push_back({i, RedundancyKind::Prefix, static_cast<long>(j)});
            reported[i] = true;
            break;
        }
    }
    for (size_t i = 0; i < ix.size(); i++) {
        if (reported[i] || ix[i].unique || ix[i].primary || ix[i].scans != 0) continue;
        out.push_back({i, RedundancyKind::Unused, -1});
    }
    return out;
}

}  // namespace pothos::core::advisor
