// security.h -- who may see what, and as whom the extension runs code.
//
// The extension re-parses and re-plans statements other roles recorded (the
// index advisor, the N+1 rewrite) and plans or runs statements a caller hands
// it (analyze_query, analyze_performance, hypothetical_explain). Planning
// evaluates IMMUTABLE and STABLE functions, so each of these runs in a scope:
//  * a recorded statement runs as the role that recorded it, in a
//    security-restricted operation (as VACUUM and ANALYZE run as the table
//    owner), in a read-only state, with that role's default search_path
//    behind pg_catalog and pg_temp last -- and only when the caller may act
//    as that role (superuser or member of it); otherwise it is skipped;
//  * a caller's own statement runs as the caller in a read-only state (unless
//    it asked for writes), like EXPLAIN, and is resolved, planned and run
//    under the caller's search_path, which the function takes as an argument
//    (every function pins its own search_path; CallerPath below);
//  * the extension's own internal lookups and queries run with search_path
//    pinned to pg_catalog, pg_temp.
// C-style glue: everything here may ereport; the scopes are left by the
// matching leave call, or by the (sub)transaction abort of an error, which
// restores the user id, the security context and every GUC set here.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "nodes/parsenodes.h"
}

namespace pothos::ext {

// Superusers and members of pg_read_all_stats see every role's statement
// texts and ids (as in pg_stat_statements) and every relation's advice.
bool can_read_all_stats();

// The current user may run code as role: superuser, or has its privileges.
bool may_act_as(Oid role);

// The current user may read relation relid (SELECT on it or on one of its
// columns), or sees everything (can_read_all_stats, passed in as see_all).
bool may_read_relation(Oid relid, bool see_all);

// Acting as the role that recorded a statement (see above).
struct RoleScope {
    Oid saved_user;
    int saved_sec;
    int guc_level;
};
// path: role_search_path(role) when already known, else NULL.
void role_scope_enter(Oid role, const char* path, RoleScope* scope);
void role_scope_leave(const RoleScope* scope);

// The caller's own statement, planned or run read-only.
struct ReadOnlyScope {
    int guc_level;
};
void read_only_enter(ReadOnlyScope* scope);
void read_only_leave(const ReadOnlyScope* scope);

// search_path = pg_catalog, pg_temp for the extension's internal work.
struct PinnedPath {
    int guc_level;
};
void pinned_path_enter(PinnedPath* scope);
void pinned_path_leave(const PinnedPath* scope);

// The caller's search_path, passed in as argument argno of fcinfo (the SQL
// default is the caller's current_setting('search_path'), evaluated before
// the function's own SET applies): a clear error (invalid_parameter_value)
// for NULL or a value that is not a list of names. palloc'd.
char* caller_path_arg(FunctionCallInfo fcinfo, int argno, const char* fn);

// search_path = the caller's (from caller_path_arg) around the resolution,
// planning and running of the caller's own statement, and only there.
struct CallerPath {
    int guc_level;
};
void caller_path_enter(const char* path, CallerPath* scope);
void caller_path_leave(const CallerPath* scope);

// The search_path a statement of role is resolved with: the role's own
// default (ALTER ROLE/DATABASE ... SET, else the server's), with pg_catalog
// first and pg_temp last. palloc'd.
char* role_search_path(Oid role);

// Runs fn(arg) as role (role_scope_enter/leave) in a subtransaction; false
// when it failed or the caller may not act as role (checked inside, so that
// no error escapes). path and keep as above and in subxact_try.
bool run_as_role(Oid role, const char* path, void (*fn)(void*), void* arg, ErrorData** keep);

// The relations (RTE_RELATION entries, each once, subqueries and CTEs
// included) of an analysed query. palloc'd.
void query_relations(Query* q, Oid** relids, int* n);

// The single statement of text (not a utility command) parsed and analysed,
// never planned, as role (run_as_role), its $n typed from their use; NULL
// when that fails for any reason.
Query* analyse_as_role(const char* text, Oid role, const char* path);

// The caller may see the workload of a statement (its text, its finding) that
// role recorded: see_all, or the caller recorded it and may read every
// relation it uses (the text is analysed as the caller to find them).
bool statement_visible(const char* text, Oid role, bool see_all);

}  // namespace pothos::ext
