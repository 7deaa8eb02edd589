// advisor/table_indexes.cpp -- see advisor/table_indexes.h.
#include "extension/common/pg.h"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opfamily.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

#include "extension/advisor/table_indexes.h"

namespace pothos::ext {

namespace {

bool is_pattern_opfamily(Oid opfamily) {
    HeapTuple tup = SearchSysCache1(OPFAMILYOID, ObjectIdGetDatum(opfamily));
    if (!HeapTupleIsValid(tup)) return false;
    bool p = strstr(NameStr(((Form_pg_opfamily) GETSTRUCT(tup))->opfname), "pattern_ops") != NULL;
    ReleaseSysCache(tup);
    return p;
}

// Appends the valid btree indexes of relid to *out (growing *cap); returns
// the new count.
int existing_indexes(Oid relid, ExistingShape** out, int* cap, int n) {
    Relation rel = table_open(relid, AccessShareLock);
    List* ids = RelationGetIndexList(rel);
    List* ctx = deparse_context_for(RelationGetRelationName(rel), relid);
    table_close(rel, AccessShareLock);
    ListCell* lc;
    foreach (lc, ids) {
        Relation ix = index_open(lfirst_oid(lc), AccessShareLock);
        if (ix->rd_rel->relam == BTREE_AM_OID && ix->rd_index->indisvalid) {
            if (n == *cap) {
                *cap *= 2;
                *out = (ExistingShape*) repalloc(*out, sizeof(ExistingShape) * *cap);
            }
            ExistingShape* e = &(*out)[n];
            e->relid = relid;
            e->nkeys = 0;
            e->ninclude = 0;
            List* exprs = RelationGetIndexExpressions(ix);
            ListCell* next_expr = list_head(exprs);
            for (int k = 0; k < ix->rd_index->indnkeyatts; k++) {
                AttrNumber att = ix->rd_index->indkey.values[k];
                e->keys[k] = att;
                e->exprs[k] = NULL;
                if (att == 0) {
                    if (next_expr == NULL) break;
                    e->exprs[k] = deparse_expression((Node*) lfirst(next_expr), ctx, false, false);
                    next_expr = lnext(exprs, next_expr);
                }
                e->desc[k] = (ix->rd_indoption[k] & INDOPTION_DESC) != 0;
                e->nulls_first[k] = (ix->rd_indoption[k] & INDOPTION_NULLS_FIRST) != 0;
                e->pattern[k] = is_pattern_opfamily(ix->rd_opfamily[k]);
                e->nkeys++;
            }
            for (int k = ix->rd_index->indnkeyatts; k < ix->rd_index->indnatts; k++)
                e->include[e->ninclude++] = ix->rd_index->indkey.values[k];
            List* pred = RelationGetIndexPredicate(ix);
            e->predicate = pred == NIL ? pstrdup("")
                                       : deparse_expression((Node*) make_ands_explicit(pred), ctx, false, false);
            if (e->nkeys > 0) n++;
        }
        index_close(ix, AccessShareLock);
    }
    return n;
}

void rel_indexes(Oid relid, RelIndexes* out) {
    Relation rel = table_open(relid, AccessShareLock);
    out->relid = relid;
    out->count = list_length(RelationGetIndexList(rel));
    Bitmapset* cols = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_ALL);
    table_close(rel, AccessShareLock);
    out->cols = (int16*) palloc(sizeof(int16) * (bms_num_members(cols) + 1));
    out->ncols = 0;
    int m = -1;
    while ((m = bms_next_member(cols, m)) >= 0) {
        int att = m + FirstLowInvalidHeapAttributeNumber;
        if (att > 0) out->cols[out->ncols++] = (int16) att;
    }
}

}  // namespace

TableIndexes table_indexes(const Oid* relids, int n) {
    TableIndexes t;
    int cap = 8;
    t.shapes = (ExistingShape*) palloc(sizeof(ExistingShape) * cap);
    t.nshapes = 0;
    for (int k = 0; k < n; k++) t.nshapes = existing_indexes(relids[k], &t.shapes, &cap, t.nshapes);
    t.rels = (RelIndexes*) palloc(sizeof(RelIndexes) * (n + 1));
    t.nrels = n;
    for (int k = 0; k < n; k++) rel_indexes(relids[k], &t.rels[k]);
    return t;
}

}  // namespace pothos::ext
