// nplus1/shape.h -- what the detector needs to know about a statement's
// shape, taken from its Query tree when it is parsed (core::Nplus1Flag bits).
// Kept per backend in a small direct-mapped cache by query id, so prepared
// statements executed long after their parse still have their flags. No
// allocation; a statement already in the cache costs one comparison.
//
// The cache also records whether a statement's text may hold a tag comment,
// so that executions with bound parameters need not search their text for
// one: every text of a statement with parameters is parsed in the backend
// that runs it (a Parse message, PREPARE, a cached plan's revalidation), and
// each parse that is seen with parameters is searched for a '/' once. The
// mark is sticky: one text with a '/' (a sqlcommenter comment that changes
// with every request) sets it for good; a parse that is not searched (no
// parameters referenced, no jumble state, the detector off or the statement
// not tracked) sets it too; an evicted or unknown statement counts as
// marked. Only a statement every parse of which was searched and found
// clean executes without the search.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "nodes/parsenodes.h"
#include "parser/parse_node.h"
#include "utils/queryjumble.h"
}

namespace pothos::ext {

// n without the implicit casts around it (RelabelType, CoerceViaIO, an
// implicit cast function).
const Node* nplus1_strip_casts(const Node* n);

// The shape of query (Nplus1Flag bits), from its tree alone (plus operator
// lookups in the syscache).
uint16 nplus1_classify(const Query* query);

// Classifies query and remembers its flags (nplus1_note_parsed's rare case).
void nplus1_note_shape(const Query* query);

// The per-backend cache behind the inline functions below (every statement
// asks them; only nplus1_note_shape writes).
constexpr int kNplus1ShapeSlots = 512;
struct Nplus1ShapeSlot {
    uint64 queryid;
    uint16 flags;
    bool may_tag;  // a text of the statement may hold a tag comment (see above)
};
extern Nplus1ShapeSlot g_nplus1_shapes[kNplus1ShapeSlots];

// Whether a parse of a statement with source text src may hold a tag: false
// only when its parameters are referenced (jstate) and src has no '/'.
bool nplus1_text_may_tag(const JumbleState* jstate, const char* src);

// Called at parse analysis: classifies a statement not in the cache, and
// notes whether this text of it may hold a tag.
inline void nplus1_note_parsed(const Query* query, const JumbleState* jstate, const char* src) {
    Nplus1ShapeSlot* s = &g_nplus1_shapes[query->queryId % kNplus1ShapeSlots];
    if (s->queryid != query->queryId) nplus1_note_shape(query);
    if (!s->may_tag) s->may_tag = nplus1_text_may_tag(jstate, src);
}

// A parse the detector does not look at: the statement's texts may hold a
// tag from now on.
inline void nplus1_note_unsearched(uint64 queryid) {
    Nplus1ShapeSlot* s = &g_nplus1_shapes[queryid % kNplus1ShapeSlots];
    if (s->queryid == queryid) s->may_tag = true;
}

// What is remembered of queryid; nullptr if unknown.
inline const Nplus1ShapeSlot* nplus1_shape(uint64 queryid) {
    const Nplus1ShapeSlot* s = &g_nplus1_shapes[queryid % kNplus1ShapeSlots];
    return (s->queryid == queryid && queryid != 0) ? s : nullptr;
}

}  // namespace pothos::ext
