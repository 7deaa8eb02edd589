// analysis/statement.h -- what analyze_query and analyze_performance share:
// checking the argument, parsing and analysing exactly one plannable
// statement, planning it and printing EXPLAIN (FORMAT JSON).
// C-style glue: everything here may ereport.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "portability/instr_time.h"
}

#include "extension/common/guard.h"

namespace pothos::ext {

// Longest statement text accepted.
constexpr int kMaxAnalyzedText = 1024 * 1024;

// The text argument `argno` of fcinfo as a C string; clear errors for NULL,
// empty (or only whitespace/comments) and too long texts.
char* analysis_text_arg(FunctionCallInfo fcinfo, int argno, const char* fn);

struct AnalysedStmt {
    RawStmt* raw;
    Query* query;      // as analysed (not rewritten)
    Query* rewritten;  // the single query the rewriter produced
    int nparams;       // $n parameters (typed by their use) when allowed
};
POTHOS_PLAIN(AnalysedStmt);

// Parses `sql`; exactly one SELECT, INSERT, UPDATE or DELETE statement
// (else a clear error naming what was given). With allow_params, $1... are
// accepted and typed from their use. Its names are resolved with
// search_path = path (the caller's, from caller_path_arg), and only the
// parsing, analysis and rewriting run under it.
AnalysedStmt analyse_single(const char* sql, const char* fn, bool allow_params, const char* path);

// Plans a copy of q under search_path = path (the caller's: planning may
// parse the bodies of the caller's SQL functions to inline them).
// planning, when given, receives the planning time.
PlannedStmt* plan_copy(Query* q, const char* sql, instr_time* planning, const char* path);

// EXPLAIN (FORMAT JSON [, ANALYZE, BUFFERS]) of a plan, under search_path =
// path (the caller's: the statement's functions run under it, and names
// are printed as the caller would see them). With analyze the statement
// runs and planning (may be NULL) is reported as its planning time.
char* explain_json(PlannedStmt* ps, const char* sql, bool analyze, const instr_time* planning, const char* path);

}  // namespace pothos::ext
