// nplus1/provenance.h -- the N+1 detector's evidence that a lookup's key
// came from a parent's rows (core/nplus1/provenance.h): the hash of a value
// as provenance compares it, the rows of sampled executions of candidate
// parents hashed on their way to the client, and the record they become.
//
// Cost: a top-level SELECT whose shape may make it a parent
// (nplus1_may_parent: it reads a table, is not LIMIT 1, and one of its last
// 8 executions in this backend returned min_repeats rows, or it has not run
// yet) and whose execution is sampled (pothos_perf.n_plus_one_sample_rate,
// as geometric skips: an unsampled candidate costs a decrement) sends its
// rows through a receiver that hashes the values of their first
// kNplus1HashedColumns columns of a key type, kNplus1HashedValues values at
// most per execution, into the backend's own area of shared memory (no
// lock, no allocation), then passes each row on unchanged. Every other
// statement pays the shape test. When the statement ends, the hashes become
// the record of its event if it returned min_repeats rows, else they are
// dropped.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/execdesc.h"
#include "tcop/dest.h"
}

#include "core/common/hot.h"
#include "core/nplus1/value_hash.h"
#include "extension/nplus1/hot.h"
#include "extension/nplus1/shape.h"

namespace pothos::ext {

constexpr uint32 kNplus1HashedValues = 256;
constexpr int kNplus1HashedColumns = 8;

// The hash of a value of a type other than int4 and int8 (0: not a key type
// or not hashed: external or compressed, or text longer than 64 bytes).
uint32 nplus1_key_of_other(Datum value, Oid type);

// The hash of a value of type `type` as provenance compares it (0: none).
inline uint32 nplus1_key_of(Datum value, Oid type) {
    if (POTHOS_LIKELY(type == INT4OID)) return core::nplus1_key_int(DatumGetInt32(value));
    if (type == INT8OID) return core::nplus1_key_int(DatumGetInt64(value));
    return nplus1_key_of_other(value, type);
}

// The receiver that hashes qd's rows, or nullptr if this execution is not
// sampled (nplus1_executor_run's rare case).
DestReceiver* nplus1_rows_receiver(QueryDesc* qd);

// A top-level SELECT is about to run (an ExecutorRun call): the receiver its
// rows go through instead of qd->dest for this call, or nullptr.
inline DestReceiver* nplus1_executor_run(QueryDesc* qd) {
    if (qd->operation != CMD_SELECT || !g_nplus1_hot.enabled || !g_nplus1_hot.ready) return nullptr;
    const uint64 queryid = qd->plannedstmt->queryId;
    if (queryid == 0 || !nplus1_may_parent(nplus1_shape(queryid))) return nullptr;
    return nplus1_rows_receiver(qd);
}

// A top-level statement ends while rows are being hashed (the caller checked
// g_nplus1_hot.rows_open): if they are qd's and qd is a parent (it returned
// min_repeats rows), they are published as the provenance record of its
// event (event_seq in its ring) and *record is set to the low 32 bits of
// the record's number; else they are dropped. Returns whether a record was
// published.
bool nplus1_rows_end(const QueryDesc* qd, bool parent, uint64 event_seq, uint32* record);

// Records and values this backend has published so far (for the caller to
// see how far its area has come round since some point).
void nplus1_rows_progress(uint64* records, uint64* values);

// pothos_perf.n_plus_one_sample_rate changed: the next candidate draws a
// skip for the new rate.
void nplus1_sample_rate_changed();

}  // namespace pothos::ext
