// advisor/btree_size_bridge.h -- core::advisor::estimate_btree_size for the
// glue (the boundary rules: guard.h).
#pragma once

#include "extension/common/pg.h"

#include "extension/common/guard.h"

namespace pothos::ext {

struct BtreeSizeC {
    double pages;  // with upper levels and metapage
    int height;    // levels above the leaves
    double bytes;
    double tuple_bytes;  // one leaf entry
};
POTHOS_PLAIN(BtreeSizeC);

// The size of a btree of `tuples` entries whose columns are widths[0, n)
// bytes wide on average; false when that failed (the message in *err).
bool advisor_btree_size(double tuples, const double* widths, int n, BtreeSizeC* out, CppError* err) noexcept;

}  // namespace pothos::ext
