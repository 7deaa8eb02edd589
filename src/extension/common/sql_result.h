// sql_result.h -- what every SQL function of the extension that returns rows
// uses, in one place: the shared memory it reads, who may read other roles'
// statements, a result set (or row descriptor) checked against the number of
// columns the library fills, and the row builder that fills them in order and
// checks it filled them all. C-style: these ereport.
#pragma once

#include "extension/common/pg.h"
#include "extension/security/security.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace pothos::ext {

// ERROR unless `ready`: the shared memory of the features a function reads,
// which exists only when the library was preloaded.
inline void require_preloaded(bool ready) {
    if (!ready)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("pothos_perf must be loaded via shared_preload_libraries"),
                        errhint("Add pothos_perf to shared_preload_libraries and restart the server.")));
}

inline void mismatch_error(const char* function_name) {
    ereport(ERROR, (errmsg("pothos_perf: SQL definition of %s does not match the library", function_name),
                    errhint("Run ALTER EXTENSION pothos_perf UPDATE.")));
}

// A materialised result set whose rows have exactly ncols columns (flags:
// InitMaterializedSRF's).
inline ReturnSetInfo* begin_result_set(FunctionCallInfo fcinfo, int ncols, const char* function_name,
                                       bits32 flags = 0) {
    InitMaterializedSRF(fcinfo, flags);
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

// One result row of N columns, filled in the order of the SQL definition:
//     ResultRow<kCols> row;
//     row.add_int64(calls).add_text(text);   // a NULL text is a NULL
//     row.put(rsinfo);                       // or: PG_RETURN_DATUM(row.tuple(desc))
// put() and tuple() raise an error unless exactly N columns were added.
template <int N>
class ResultRow {
public:
    ResultRow& add_null() { return add(true, (Datum) 0); }
    ResultRow& add_datum(Datum d) { return add(false, d); }
    ResultRow& add_bool(bool v) { return add(false, BoolGetDatum(v)); }
    ResultRow& add_int32(int32 v) { return add(false, Int32GetDatum(v)); }
    ResultRow& add_int64(int64 v) { return add(false, Int64GetDatum(v)); }
    ResultRow& add_float8(double v) { return add(false, Float8GetDatum(v)); }
    ResultRow& add_oid(Oid v) { return add(false, ObjectIdGetDatum(v)); }
    ResultRow& add_timestamptz(TimestampTz v) { return add(false, TimestampTzGetDatum(v)); }
    ResultRow& add_text(const char* s) { return s ? add(false, CStringGetTextDatum(s)) : add_null(); }
    // v when present, else a NULL.
    ResultRow& add_int64_if(bool present, int64 v) { return present ? add_int64(v) : add_null(); }
    ResultRow& add_float8_if(bool present, double v) { return present ? add_float8(v) : add_null(); }

    // Appends the row to a result set from begin_result_set(fcinfo, N, ...).
    void put(ReturnSetInfo* rsinfo) {
        check_full();
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values_, nulls_);
    }
    // The row as a composite value (the descriptor from result_row_desc).
    Datum tuple(TupleDesc desc) {
        check_full();
        return HeapTupleGetDatum(heap_form_tuple(desc, values_, nulls_));
    }

private:
    ResultRow& add(bool null, Datum d) {
        if (k_ >= N) elog(ERROR, "pothos_perf: a result row of %d columns was given more", N);
        nulls_[k_] = null;
        values_[k_++] = d;
        return *this;
    }
    void check_full() const {
        if (k_ != N) elog(ERROR, "pothos_perf: a result row of %d columns was given %d", N, k_);
    }

    Datum values_[N];
    bool nulls_[N];
    int k_ = 0;
};

}  // namespace pothos::ext
