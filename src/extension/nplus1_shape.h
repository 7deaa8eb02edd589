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

// The per-backend cache behind the two inline lookups below (every
// statement asks them; only np_note_parsed writes).
constexpr int kNpShapeSlots = 512;
struct NpShapeSlot {
    uint64 queryid;
    uint16 flags;
};
extern NpShapeSlot g_np_shapes[kNpShapeSlots];
extern uint64 g_np_literal_queryid;
extern uint64 g_np_literal_hash;

// Flags remembered for queryid; false if unknown.
inline bool np_shape_flags(uint64 queryid, uint16* flags) {
    const NpShapeSlot* s = &g_np_shapes[queryid % kNpShapeSlots];
    if (s->queryid != queryid || queryid == 0) return false;
    *flags = s->flags;
    return true;
}

// The literal-constant hash noted by the latest parse, if it was queryid's
// (consumed); 0 otherwise.
inline uint64 np_take_literal_hash(uint64 queryid) {
    if (g_np_literal_queryid != queryid || queryid == 0) return 0;
    g_np_literal_queryid = 0;
    return g_np_literal_hash;
}

}  // namespace pothos::ext
