// sql_result.h -- what every SQL function of the extension that returns rows
// starts with, in one place: who may read other roles' statements, and a
// result set (or row descriptor) checked against the number of columns the
// library fills. C-style: these ereport.
#pragma once

#include "extension/common/pg.h"
#include "extension/security/security.h"

extern "C" {
#include "catalog/pg_authid.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
}

namespace pothos::ext {

inline void mismatch_error(const char* function_name) {
    ereport(ERROR, (errmsg("pothos_perf: SQL definition of %s does not match the library", function_name),
                    errhint("Run ALTER EXTENSION pothos_perf UPDATE.")));
}

// A materialised result set whose rows have exactly ncols columns.
inline ReturnSetInfo* begin_result_set(FunctionCallInfo fcinfo, int ncols, const char* function_name) {
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = (ReturnSetInfo*) fcinfo->resultinfo;
    if (rsinfo->setDesc->natts != ncols) mismatch_error(function_name);
    return rsinfo;
}

// The row type of a function returning one composite row of ncols columns.
inline TupleDesc result_row_desc(FunctionCallInfo fcinfo, int ncols, const char* function_name) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "return type must be a row type");
    if (desc->natts != ncols) mismatch_error(function_name);
    return desc;
}

}  // namespace pothos::ext
