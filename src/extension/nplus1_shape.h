// nplus1_shape.h -- what the detector needs to know about a statement's
// shape, taken from its Query tree when it is parsed (core::NpFlag bits).
// Kept per backend in a small direct-mapped cache by query id, so prepared
// statements executed long after their parse still have their flags. No
// allocation; a statement already in the cache costs one comparison.
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

// Classifies query and remembers its flags (np_note_parsed's rare case).
void np_note_shape(const Query* query);

// The per-backend cache behind the inline functions below (every statement
// asks them; only np_note_shape writes).
constexpr int kNpShapeSlots = 512;
struct NpShapeSlot {
    uint64 queryid;
    uint16 flags;
};
extern NpShapeSlot g_np_shapes[kNpShapeSlots];

// Called at parse analysis: classifies a statement not in the cache.
inline void np_note_parsed(const Query* query) {
    if (g_np_shapes[query->queryId % kNpShapeSlots].queryid != query->queryId) np_note_shape(query);
}

// Flags remembered for queryid; false if unknown.
inline bool np_shape_flags(uint64 queryid, uint16* flags) {
    const NpShapeSlot* s = &g_np_shapes[queryid % kNpShapeSlots];
    if (s->queryid != queryid || queryid == 0) return false;
    *flags = s->flags;
    return true;
}

}  // namespace pothos::ext
