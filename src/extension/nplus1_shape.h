// nplus1_shape.h -- what the detector needs to know about a statement's
// shape, taken from its Query tree when it is parsed (core::NpFlag bits), and
// the hash of its literal constants (simple protocol). Kept per backend in a
// small direct-mapped cache by query id, so prepared statements executed
// long after their parse still have their flags. No allocation.
#pragma once

#include "extension/pg.h"

extern "C" {
#include "nodes/parsenodes.h"
#include "parser/parse_node.h"
#include "utils/queryjumble.h"
}

namespace pothos::ext {

// n without the implicit casts around it (RelabelType, CoerceViaIO, an
// implicit cast function).
const Node* np_strip_casts(const Node* n);

// The shape of query (NpFlag bits), from its tree alone (plus operator
// lookups in the syscache).
uint16 np_classify(const Query* query);

// Called at parse analysis: remembers the flags and the literal hash.
void np_note_parsed(ParseState* pstate, Query* query, JumbleState* jstate);

// Flags remembered for queryid; false if unknown.
bool np_shape_flags(uint64 queryid, uint16* flags);

// The literal-constant hash noted by the latest parse, if it was queryid's
// (consumed); 0 otherwise.
uint64 np_take_literal_hash(uint64 queryid);

}  // namespace pothos::ext
