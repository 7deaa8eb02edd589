// advisor/btree_size_bridge.cpp -- see advisor/btree_size_bridge.h.
#include "extension/advisor/btree_size_bridge.h"

#include <vector>

#include "core/advisor/cost.h"

namespace pothos::ext {

bool advisor_btree_size(double tuples, const double* widths, int n, BtreeSizeC* out, CppError* err) noexcept {
    return cpp_call(err, [&] {
        core::advisor::BtreeSize s = core::advisor::estimate_btree_size(tuples, std::vector<double>(widths, widths + n));
        out->pages = s.pages;
        out->height = s.tree_height;
        out->bytes = s.bytes;
        out->tuple_bytes = s.tuple_bytes;
    });
}

}  // namespace pothos::ext
