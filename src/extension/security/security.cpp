// security.cpp -- see security.h. C-style glue.
#include "extension/common/pg.h"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_db_role_setting.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/varlena.h"
}

#include "extension/security/security.h"
#include "extension/common/subxact.h"

namespace pothos::ext {

namespace {

const char kPinnedPath[] = "pg_catalog, pg_temp";

void set_guc(const char* name, const char* value) {
    (void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

// The value of search_path in one pg_db_role_setting row; NULL if none.
char* setting_search_path(Relation rel, Oid db, Oid role) {
    ScanKeyData keys[2];
    ScanKeyInit(&keys[0], Anum_pg_db_role_setting_setdatabase, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(db));
    ScanKeyInit(&keys[1], Anum_pg_db_role_setting_setrole, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(role));
    SysScanDesc scan = systable_beginscan(rel, DbRoleSettingDatidRolidIndexId, true, NULL, 2, keys);
    char* found = NULL;
    HeapTuple tup = systable_getnext(scan);
    if (HeapTupleIsValid(tup)) {
        bool isnull = true;
        Datum d = heap_getattr(tup, Anum_pg_db_role_setting_setconfig, RelationGetDescr(rel), &isnull);
        if (!isnull) {
            Datum* elems;
            bool* nulls;
            int n = 0;
            deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
            for (int i = 0; i < n && found == NULL; i++) {
                if (nulls[i]) continue;
                char* item = TextDatumGetCString(elems[i]);
                char* eq = strchr(item, '=');
                if (eq == NULL) continue;
                *eq = '\0';
                if (pg_strcasecmp(item, "search_path") == 0) found = pstrdup(eq + 1);
            }
        }
    }
    systable_endscan(scan);
    return found;
}

// The server's default search_path: this session's reset value when it
// comes from the configuration file or the built-in default, else the
// built-in default.
char* server_search_path() {
    struct config_generic** vars = get_guc_variables();
    int n = GetNumConfigOptions();
    for (int i = 0; i < n; i++) {
        if (pg_strcasecmp(vars[i]->name, "search_path") != 0) continue;
        if (vars[i]->reset_source <= PGC_S_FILE) return pstrdup(GetConfigOptionResetString("search_path"));
        break;
    }
    return pstrdup("\"$user\", public");
}

}  // namespace

bool can_read_all_stats() { return superuser() || has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS); }

bool may_act_as(Oid role) {
    if (!OidIsValid(role) || !SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role))) return false;
    return superuser() || has_privs_of_role(GetUserId(), role);
}

bool may_read_relation(Oid relid, bool see_all) {
    if (see_all) return true;
    Oid me = GetUserId();
    bool missing = false;
    if (pg_class_aclcheck_ext(relid, me, ACL_SELECT, &missing) == ACLCHECK_OK) return true;
    // (A relation dropped meanwhile is simply not readable.)
    return !missing && pg_attribute_aclcheck_all(relid, me, ACL_SELECT, ACLMASK_ANY) == ACLCHECK_OK;
}

char* role_search_path(Oid role) {
    Relation rel = table_open(DbRoleSettingRelationId, AccessShareLock);
    char* path = setting_search_path(rel, MyDatabaseId, role);
    if (path == NULL) path = setting_search_path(rel, InvalidOid, role);
    if (path == NULL) path = setting_search_path(rel, MyDatabaseId, InvalidOid);
    table_close(rel, AccessShareLock);
    if (path == NULL) path = server_search_path();

    // pg_catalog first, the role's schemas in its order, pg_temp last.
    StringInfoData out;
    initStringInfo(&out);
    appendStringInfoString(&out, "pg_catalog");
    List* names = NIL;
    if (SplitIdentifierString(path, ',', &names)) {
        ListCell* lc;
        foreach (lc, names) {
            const char* name = (const char*) lfirst(lc);
            if (strcmp(name, "pg_catalog") == 0 || strcmp(name, "pg_temp") == 0 || name[0] == '\0') continue;
            appendStringInfo(&out, ", %s", quote_identifier(name));
        }
    }
    appendStringInfoString(&out, ", pg_temp");
    return out.data;
}

void role_scope_enter(Oid role, const char* path, RoleScope* scope) {
    char* own = path ? NULL : role_search_path(role);
    GetUserIdAndSecContext(&scope->saved_user, &scope->saved_sec);
    SetUserIdAndSecContext(role, scope->saved_sec | SECURITY_RESTRICTED_OPERATION | SECURITY_LOCAL_USERID_CHANGE);
    scope->guc_level = NewGUCNestLevel();
    set_guc("search_path", path ? path : own);
    set_guc("transaction_read_only", "on");
    if (own) pfree(own);
}

void role_scope_leave(const RoleScope* scope) {
    AtEOXact_GUC(false, scope->guc_level);
    SetUserIdAndSecContext(scope->saved_user, scope->saved_sec);
}

void read_only_enter(ReadOnlyScope* scope) {
    scope->guc_level = NewGUCNestLevel();
    set_guc("transaction_read_only", "on");
}

void read_only_leave(const ReadOnlyScope* scope) { AtEOXact_GUC(false, scope->guc_level); }

void pinned_path_enter(PinnedPath* scope) {
    scope->guc_level = NewGUCNestLevel();
    set_guc("search_path", kPinnedPath);
}

void pinned_path_leave(const PinnedPath* scope) { AtEOXact_GUC(false, scope->guc_level); }

char* caller_path_arg(FunctionCallInfo fcinfo, int argno, const char* fn) {
    if (PG_ARGISNULL(argno))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: search_path must not be NULL", fn),
                        errhint("Omit it to use the caller's search_path.")));
    char* path = text_to_cstring(PG_GETARG_TEXT_PP(argno));
    // The check search_path's own check hook makes, with a message naming
    // the argument.
    char* copy = pstrdup(path);
    List* names = NIL;
    if (!SplitIdentifierString(copy, ',', &names))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: search_path is not a valid list of schema names", fn),
                        errdetail("Expected comma-separated names, as in SET search_path.")));
    list_free(names);
    pfree(copy);
    return path;
}

void caller_path_enter(const char* path, CallerPath* scope) {
    scope->guc_level = NewGUCNestLevel();
    set_guc("search_path", path);
}

void caller_path_leave(const CallerPath* scope) { AtEOXact_GUC(false, scope->guc_level); }

namespace {

struct AsRoleArg {
    Oid role;
    const char* path;
    void (*fn)(void*);
    void* arg;
};

void as_role_fn(void* p) {
    AsRoleArg* a = (AsRoleArg*) p;
    if (!may_act_as(a->role))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("may not act as role %u", a->role)));
    RoleScope scope;
    role_scope_enter(a->role, a->path, &scope);
    a->fn(a->arg);
    role_scope_leave(&scope);
}

}  // namespace

bool run_as_role(Oid role, const char* path, void (*fn)(void*), void* arg, ErrorData** keep) {
    AsRoleArg a{role, path, fn, arg};
    return subxact_try(as_role_fn, &a, keep);
}

namespace {

struct RelCollect {
    Oid* relids;
    int n;
    int cap;
};

void add_relid(RelCollect* c, Oid relid) {
    for (int i = 0; i < c->n; i++)
        if (c->relids[i] == relid) return;
    if (c->n == c->cap) {
        c->cap *= 2;
        c->relids = (Oid*) repalloc(c->relids, sizeof(Oid) * c->cap);
    }
    c->relids[c->n++] = relid;
}

bool relations_walker(Node* node, void* context) {
    if (node == NULL) return false;
    if (IsA(node, RangeTblEntry)) {
        RangeTblEntry* rte = (RangeTblEntry*) node;
        if (rte->rtekind == RTE_RELATION) add_relid((RelCollect*) context, rte->relid);
        return false;
    }
    if (IsA(node, Query))
        return query_tree_walker((Query*) node, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(relations_walker)),
                                 context, QTW_EXAMINE_RTES_BEFORE);
    return expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(relations_walker)),
                                  context);
}

struct AnalyseArg {
    const char* text;
    Query* result;
};

// Parses and analyses (never plans) the single statement of a->text, its $n
// typed from their use.
void analyse_fn(void* p) {
    AnalyseArg* a = (AnalyseArg*) p;
    List* raw = pg_parse_query(a->text);
    if (list_length(raw) != 1) return;
    Oid* types = NULL;
    int ntypes = 0;
    List* qs = pg_analyze_and_rewrite_varparams(linitial_node(RawStmt, raw), a->text, &types, &ntypes, NULL);
    if (list_length(qs) == 1 && linitial_node(Query, qs)->commandType != CMD_UTILITY) a->result = linitial_node(Query, qs);
}

}  // namespace

void query_relations(Query* q, Oid** relids, int* n) {
    RelCollect rc;
    rc.cap = 4;
    rc.n = 0;
    rc.relids = (Oid*) palloc(sizeof(Oid) * rc.cap);
    relations_walker((Node*) q, &rc);
    *relids = rc.relids;
    *n = rc.n;
}

Query* analyse_as_role(const char* text, Oid role, const char* path) {
    AnalyseArg a{text, NULL};
    if (text == NULL || !run_as_role(role, path, analyse_fn, &a, NULL)) return NULL;
    return a.result;
}

bool statement_visible(const char* text, Oid role, bool see_all) {
    if (see_all) return true;
    if (role != GetUserId()) return false;
    Query* q = analyse_as_role(text, role, NULL);
    if (q == NULL) return false;
    Oid* relids = NULL;
    int n = 0;
    query_relations(q, &relids, &n);
    for (int i = 0; i < n; i++)
        if (!may_read_relation(relids[i], false)) return false;
    return true;
}

}  // namespace pothos::ext
