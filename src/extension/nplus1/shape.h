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
//
// For provenance (core/nplus1/provenance.h) the cache also keeps where a
// lookup's or a row write's keys come from (its first two key predicates'
// values, or an INSERT's first two values: a bound parameter's number, or a
// constant whose hash each parse of the statement notes), and which of the
// statement's recent top-level executions returned at least min_repeats
// rows: a SELECT that never did is no candidate parent, and its rows are
// not hashed.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "nodes/parsenodes.h"
#include "parser/parse_node.h"
#include "utils/queryjumble.h"
}

#include "core/nplus1/event.h"

namespace pothos::ext {

// n without the implicit casts around it (RelabelType, CoerceViaIO, an
// implicit cast function).
const Node* nplus1_strip_casts(const Node* n);

// The per-backend cache behind the inline functions below (every statement
// asks them; nplus1_note_shape fills a slot, parses note their constant
// keys, executions their rows).
constexpr int kNplus1ShapeSlots = 512;
constexpr uint8 kNplus1KeyNone = 0;     // key_src: no key
constexpr uint8 kNplus1KeyConst = 255;  // key_src: a constant (const_keys); else a parameter's number
struct alignas(32) Nplus1ShapeSlot {
    uint64 queryid;
    uint16 flags;
    bool may_tag;       // a text of the statement may hold a tag comment (see above)
    uint8 big_rows;     // one bit per recent top-level execution (newest lowest): it returned min_repeats rows;
                        // kNplus1NotRunYet before the first
    uint8 parent_mask;  // 0xff for a SELECT reading a table, not LIMIT 1; else 0
    uint8 key_src[2];   // where its keys come from (kNplus1Key*, or a parameter's number)
    uint8 key_pos[2];   // where a constant key sits in the tree (kNplus1PosWalk: search for it)
    uint32 const_keys[2];  // hashes of its constant keys, from the latest parse
};
// key_pos: the conjunct's (or an INSERT's target entry's) index times two,
// plus the operator argument that holds the value; kNplus1PosWalk when the
// key is not at such a place (nested ANDs, a long list).
constexpr uint8 kNplus1PosWalk = 255;
// big_rows of a statement not run yet: a bit that its first execution
// shifts out.
constexpr uint8 kNplus1NotRunYet = 0x80;
extern Nplus1ShapeSlot g_nplus1_shapes[kNplus1ShapeSlots];

// The shape of query (Nplus1Flag bits) and where its keys come from, from
// its tree alone (plus operator lookups in the syscache); key_pos: see
// Nplus1ShapeSlot.
uint16 nplus1_classify(const Query* query, uint8 key_src[2], uint8 key_pos[2]);

// Classifies query and remembers its shape (nplus1_note_parsed's rare case).
void nplus1_note_shape(const Query* query);

// Notes the hashes of query's constant keys in its slot (found where the
// slot's key_pos says: no search of the tree, no operator lookup).
void nplus1_note_const_keys(const Query* query, Nplus1ShapeSlot* s);

// Whether a parse of a statement with source text src may hold a tag: false
// only when its parameters are referenced (jstate) and src has no '/'.
bool nplus1_text_may_tag(const JumbleState* jstate, const char* src);

// Called at parse analysis: classifies a statement not in the cache, and
// notes whether this text of it may hold a tag.
inline void nplus1_note_parsed(const Query* query, const JumbleState* jstate, const char* src) {
    Nplus1ShapeSlot* s = &g_nplus1_shapes[query->queryId % kNplus1ShapeSlots];
    if (s->queryid != query->queryId) nplus1_note_shape(query);
    if (!s->may_tag) s->may_tag = nplus1_text_may_tag(jstate, src);
    if (s->key_src[0] == kNplus1KeyConst || s->key_src[1] == kNplus1KeyConst) nplus1_note_const_keys(query, s);
}

// A parse the detector does not look at: the statement's texts may hold a
// tag from now on.
inline void nplus1_note_unsearched(uint64 queryid) {
    Nplus1ShapeSlot* s = &g_nplus1_shapes[queryid % kNplus1ShapeSlots];
    if (s->queryid == queryid) s->may_tag = true;
}

// What is remembered of queryid; nullptr if unknown.
inline Nplus1ShapeSlot* nplus1_shape(uint64 queryid) {
    Nplus1ShapeSlot* s = &g_nplus1_shapes[queryid % kNplus1ShapeSlots];
    return (s->queryid == queryid && queryid != 0) ? s : nullptr;
}

// A top-level execution of the statement returned rows: remembered for
// nplus1_may_parent.
inline void nplus1_note_rows(Nplus1ShapeSlot* s, bool big) {
    s->big_rows = uint8((s->big_rows << 1) | (big ? 1 : 0));
}

// Whether an execution of the statement (nullptr: unknown) may be a parent:
// a SELECT reading a table, not LIMIT 1, that returned min_repeats rows in
// one of its last 8 top-level executions, or has not run yet.
inline bool nplus1_may_parent(const Nplus1ShapeSlot* s) {
    return s == nullptr || (s->big_rows & s->parent_mask) != 0;
}

}  // namespace pothos::ext
