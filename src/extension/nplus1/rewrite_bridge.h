// nplus1/rewrite_bridge.h -- the batched rewrite and the advice of a finding
// (core/nplus1/rewrite.h) for the glue: the facts nplus1/facts.h extracts
// in, palloc'd texts out (the boundary rules: guard.h).
#pragma once

#include "extension/common/pg.h"

#include "core/nplus1/detector.h"
#include "extension/common/guard.h"
#include "extension/nplus1/facts.h"

namespace pothos::ext {

struct Nplus1Rewrite {
    char* query;       // the child's batched query; NULL when there is none
    char* suggestion;  // the finding's advice (asked for the first child only), else NULL
};
POTHOS_PLAIN(Nplus1Rewrite);

// The rewrite of one child of a finding of this kind (siblings: its other
// children; max_repeats and distinct_params: the finding's); with_suggestion
// for the child the finding's scalar columns describe. False when that
// failed (the message in *err).
bool nplus1_rewrite(const Nplus1FactsC* facts, core::Nplus1Kind kind, bool with_suggestion, int siblings,
                    int64 max_repeats, int64 distinct_params, Nplus1Rewrite* out, CppError* err) noexcept;

}  // namespace pothos::ext
