// advisor/redundancy_bridge.cpp -- see advisor/redundancy_bridge.h.
#include "extension/advisor/redundancy_bridge.h"

#include "core/advisor/redundancy.h"
#include "extension/common/palloc_copy.h"

namespace pothos::ext {

namespace adv = core::advisor;

bool advisor_redundant(const IndexFact* facts, int n, RedundantIndex** out, int* nout, CppError* err) noexcept {
    *nout = 0;
    return cpp_call(err, [&] {
        std::vector<adv::ExistingIndex> in;
        for (int i = 0; i < n; i++) {
            adv::ExistingIndex e;
            e.relid = facts[i].relid;
            e.name = facts[i].name;
            e.method = facts[i].method;
            for (int k = 0; k < facts[i].nkeys; k++) e.keys.push_back(facts[i].keys[k]);
            e.include = facts[i].include;
            e.predicate = facts[i].predicate;
            e.unique = facts[i].unique;
            e.primary = facts[i].primary;
            e.scans = facts[i].scans;
            in.push_back(std::move(e));
        }
        std::vector<adv::Redundancy> found = adv::find_redundant_indexes(in);
        *out = palloc_items<RedundantIndex>(found.size() + 1);
        for (const adv::Redundancy& r : found)
            (*out)[(*nout)++] = RedundantIndex{(int) r.index, adv::redundancy_kind_name(r.kind), (int) r.covered_by};
    });
}

}  // namespace pothos::ext
