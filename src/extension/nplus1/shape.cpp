// nplus1/shape.cpp -- see nplus1/shape.h.
#include "extension/common/pg.h"
#include "core/common/hot.h"

extern "C" {
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "utils/lsyscache.h"
}

#include "core/nplus1/event.h"
#include "core/nplus1/text.h"
#include "extension/nplus1/provenance.h"
#include "extension/nplus1/shape.h"

namespace pothos::ext {

using namespace pothos::core;

Nplus1ShapeSlot g_nplus1_shapes[kNplus1ShapeSlots];

namespace {

bool is_value(const Node* n) { return n && (IsA(n, Param) || IsA(n, Const)); }

bool is_plain_var(const Node* n) { return n && IsA(n, Var) && ((const Var*) n)->varlevelsup == 0; }

// The value of a key predicate (column = value, either way round, with an
// equality operator); nullptr if n is none. Without check_ops the operator
// is taken to be one (no syscache lookups): for a statement whose shape is
// known, as its query id covers the operators.
const Node* key_value(const Node* n, bool check_ops) {
    if (!n || !IsA(n, OpExpr)) return nullptr;
    const OpExpr* op = (const OpExpr*) n;
    if (list_length(op->args) != 2) return nullptr;
    const Node* l = nplus1_strip_casts((const Node*) linitial(op->args));
    const Node* r = nplus1_strip_casts((const Node*) lsecond(op->args));
    const Node* var = is_plain_var(l) ? l : (is_plain_var(r) ? r : nullptr);
    const Node* val = var == l ? r : l;
    if (!var || !is_value(val)) return nullptr;
    if (!check_ops) return val;
    return (op_mergejoinable(op->opno, exprType(l)) || op_hashjoinable(op->opno, exprType(l))) ? val : nullptr;
}

bool is_key_predicate(const Node* n) { return key_value(n, true) != nullptr; }

// The values of the first two key predicates of the AND-ed quals, in order.
void collect_key_values(const Node* quals, const Node* out[2], int* n, bool check_ops) {
    if (!quals || *n >= 2) return;
    if (IsA(quals, BoolExpr) && ((const BoolExpr*) quals)->boolop == AND_EXPR) {
        ListCell* lc;
        foreach (lc, ((const BoolExpr*) quals)->args) collect_key_values((const Node*) lfirst(lc), out, n, check_ops);
    } else if (IsA(quals, List)) {
        ListCell* lc;
        foreach (lc, (const List*) quals) collect_key_values((const Node*) lfirst(lc), out, n, check_ops);
    } else if (const Node* v = key_value(quals, check_ops)) {
        out[(*n)++] = v;
    }
}

// Where a statement's keys are: its first two key predicates' values, or an
// INSERT's first two values (parameters or constants). Returns how many.
// check_ops: see key_value.
int key_values(const Query* q, const Node* out[2], bool check_ops) {
    int n = 0;
    if (q->commandType == CMD_INSERT) {
        ListCell* lc;
        foreach (lc, q->targetList) {
            const TargetEntry* tle = (const TargetEntry*) lfirst(lc);
            const Node* v = nplus1_strip_casts((const Node*) tle->expr);
            if (!tle->resjunk && is_value(v) && n < 2) out[n++] = v;
        }
    } else if (q->jointree) {
        collect_key_values(q->jointree->quals, out, &n, check_ops);
    }
    return n;
}

// Where value v (one of key_values') sits: see Nplus1ShapeSlot::key_pos.
uint8 key_position(const Query* q, const Node* v) {
    int i = 0;
    ListCell* lc;
    if (q->commandType == CMD_INSERT) {
        foreach (lc, q->targetList) {
            if (i >= 127) break;
            if (nplus1_strip_casts((const Node*) ((const TargetEntry*) lfirst(lc))->expr) == v) return uint8(i * 2);
            i++;
        }
        return kNplus1PosWalk;
    }
    const Node* quals = q->jointree ? q->jointree->quals : nullptr;
    if (quals == nullptr) return kNplus1PosWalk;
    const List* conjuncts = nullptr;
    if (IsA(quals, BoolExpr) && ((const BoolExpr*) quals)->boolop == AND_EXPR)
        conjuncts = ((const BoolExpr*) quals)->args;
    else if (!IsA(quals, OpExpr))
        return kNplus1PosWalk;
    for (i = 0; i < (conjuncts ? list_length(conjuncts) : 1) && i < 127; i++) {
        const Node* c = conjuncts ? (const Node*) list_nth(conjuncts, i) : quals;
        if (!IsA(c, OpExpr) || list_length(((const OpExpr*) c)->args) != 2) continue;
        const List* args = ((const OpExpr*) c)->args;
        for (int side = 0; side < 2; side++)
            if (nplus1_strip_casts((const Node*) list_nth(args, side)) == v) return uint8(i * 2 + side);
    }
    return kNplus1PosWalk;
}

// The node at pos (a key_position) in q; nullptr if the tree has no such
// place.
const Node* key_at(const Query* q, uint8 pos) {
    const int i = pos >> 1;
    if (q->commandType == CMD_INSERT) {
        if (i >= list_length(q->targetList)) return nullptr;
        return nplus1_strip_casts((const Node*) ((const TargetEntry*) list_nth(q->targetList, i))->expr);
    }
    const Node* c = q->jointree ? q->jointree->quals : nullptr;
    if (c == nullptr) return nullptr;
    if (IsA(c, BoolExpr)) {
        const List* conjuncts = ((const BoolExpr*) c)->args;
        if (i >= list_length(conjuncts)) return nullptr;
        c = (const Node*) list_nth(conjuncts, i);
    } else if (i != 0) {
        return nullptr;
    }
    if (!IsA(c, OpExpr) || list_length(((const OpExpr*) c)->args) != 2) return nullptr;
    const Node* v = (const Node*) list_nth(((const OpExpr*) c)->args, pos & 1);
    return IsA(v, Const) ? v : nplus1_strip_casts(v);
}

uint8 key_source(const Node* v) {
    if (IsA(v, Const)) return kNplus1KeyConst;
    const Param* p = (const Param*) v;
    if (p->paramkind == PARAM_EXTERN && p->paramid > 0 && p->paramid < kNplus1KeyConst) return uint8(p->paramid);
    return kNplus1KeyNone;
}

// Walks the AND-ed conjuncts of quals: all key predicates (at least one)?
// Sets *batched when one is an = ANY / IN list.
bool key_quals(const Node* quals, bool* batched) {
    if (!quals) return false;
    if (IsA(quals, BoolExpr)) {
        const BoolExpr* b = (const BoolExpr*) quals;
        if (b->boolop != AND_EXPR) return false;
        bool all = true;
        ListCell* lc;
        foreach (lc, b->args) all = key_quals((const Node*) lfirst(lc), batched) && all;
        return all;
    }
    if (IsA(quals, List)) {
        bool all = list_length((const List*) quals) > 0;
        ListCell* lc;
        foreach (lc, (const List*) quals) all = key_quals((const Node*) lfirst(lc), batched) && all;
        return all;
    }
    if (IsA(quals, ScalarArrayOpExpr)) {
        *batched = true;
        return false;
    }
    return is_key_predicate(quals);
}

bool limit_is_one(const Query* q) {
    const Node* n = nplus1_strip_casts(q->limitCount);
    if (!n || !IsA(n, Const)) return false;
    const Const* c = (const Const*) n;
    if (c->constisnull) return false;
    if (c->consttype == INT8OID) return DatumGetInt64(c->constvalue) == 1;
    if (c->consttype == INT4OID) return DatumGetInt32(c->constvalue) == 1;
    return false;
}

}  // namespace

const Node* nplus1_strip_casts(const Node* n) {
    while (n) {
        if (IsA(n, RelabelType))
            n = (const Node*) ((const RelabelType*) n)->arg;
        else if (IsA(n, CoerceViaIO))
            n = (const Node*) ((const CoerceViaIO*) n)->arg;
        else if (IsA(n, FuncExpr) && ((const FuncExpr*) n)->funcformat == COERCE_IMPLICIT_CAST &&
                 list_length(((const FuncExpr*) n)->args) == 1)
            n = (const Node*) linitial(((const FuncExpr*) n)->args);
        else
            break;
    }
    return n;
}

POTHOS_COLD uint16 nplus1_classify(const Query* q, uint8 key_src[2], uint8 key_pos[2]) {
    uint16 flags = 0;
    key_src[0] = key_src[1] = kNplus1KeyNone;
    key_pos[0] = key_pos[1] = kNplus1PosWalk;
    bool one_relation = false, has_table = false, other_rte = false;
    int relations = 0;
    ListCell* lc;
    foreach (lc, q->rtable) {
        const RangeTblEntry* rte = (const RangeTblEntry*) lfirst(lc);
        if (rte->rtekind == RTE_RELATION) {
            relations++;
            has_table = true;
        } else if (rte->rtekind != RTE_JOIN) {
            other_rte = true;
        }
    }
    one_relation = relations == 1 && !other_rte;
    if (has_table) flags |= NPLUS1_HAS_TABLE;
    bool batched = false;
    const Node* quals = q->jointree ? q->jointree->quals : nullptr;
    switch (q->commandType) {
        case CMD_SELECT: {
            flags |= NPLUS1_SELECT;
            foreach (lc, q->rowMarks) {
                const RowMarkClause* rc = (const RowMarkClause*) lfirst(lc);
                if (rc->waitPolicy == LockWaitSkip) flags |= NPLUS1_SKIP_LOCKED;
            }
            if (one_relation && !q->hasSubLinks && !q->setOperations && !q->cteList &&
                key_quals(quals, &batched))
                flags |= NPLUS1_KEY_LOOKUP;
            if (batched) flags |= NPLUS1_BATCHED;
            if (limit_is_one(q)) flags |= NPLUS1_LIMIT1;
            break;
        }
        case CMD_INSERT:
            flags |= NPLUS1_DML;
            // One VALUES row is folded into the target list; several make an
            // RTE_VALUES, INSERT ... SELECT a subquery.
            if (relations == 1 && !other_rte) flags |= NPLUS1_SINGLE_ROW;
            break;
        case CMD_UPDATE:
        case CMD_DELETE:
            flags |= NPLUS1_DML;
            if (one_relation && !q->hasSubLinks && key_quals(quals, &batched)) flags |= NPLUS1_SINGLE_ROW;
            if (batched) flags |= NPLUS1_BATCHED;
            break;
        default:
            break;
    }
    // A lookup's or a single-row write's keys: what provenance compares.
    if ((flags & (NPLUS1_KEY_LOOKUP | NPLUS1_SINGLE_ROW)) && !(flags & NPLUS1_BATCHED)) {
        const Node* values[2];
        const int n = key_values(q, values, true);
        for (int i = 0; i < n; i++) {
            key_src[i] = key_source(values[i]);
            if (key_src[i] == kNplus1KeyConst) key_pos[i] = key_position(q, values[i]);
        }
    }
    return flags;
}

POTHOS_COLD void nplus1_note_shape(const Query* query) {
    Nplus1ShapeSlot* s = &g_nplus1_shapes[query->queryId % kNplus1ShapeSlots];
    memset(s, 0, sizeof *s);
    s->queryid = query->queryId;
    s->flags = nplus1_classify(query, s->key_src, s->key_pos);
    s->may_tag = false;  // nplus1_note_parsed notes the text next
    s->big_rows = kNplus1NotRunYet;
    constexpr uint16 kSelectTable = core::NPLUS1_SELECT | core::NPLUS1_HAS_TABLE;
    s->parent_mask = (s->flags & kSelectTable) == kSelectTable && !(s->flags & core::NPLUS1_LIMIT1) ? 0xff : 0;
}

namespace {

// Key i of query found by a search of its tree (a key not at a key_pos):
// the slot's shape is query's (same query id), so every conjunct of its
// quals is a key predicate and the operators need no second look.
POTHOS_COLD const Node* searched_key(const Query* query, int i) {
    const Node* values[2];
    return i < key_values(query, values, false) ? values[i] : nullptr;
}

}  // namespace

void nplus1_note_const_keys(const Query* query, Nplus1ShapeSlot* s) {
    for (int i = 0; i < 2; i++) {
        uint32 k = 0;
        if (s->key_src[i] == kNplus1KeyConst) {
            const Node* v = s->key_pos[i] != kNplus1PosWalk ? key_at(query, s->key_pos[i]) : searched_key(query, i);
            if (v != nullptr && IsA(v, Const) && !((const Const*) v)->constisnull)
                k = nplus1_key_of(((const Const*) v)->constvalue, ((const Const*) v)->consttype);
        }
        s->const_keys[i] = k;
    }
}

bool nplus1_text_may_tag(const JumbleState* jstate, const char* src) {
    if (jstate == nullptr || jstate->highest_extern_param_id <= 0 || src == nullptr) return true;
    return nplus1_scan_slash(src).slash;
}


}  // namespace pothos::ext
