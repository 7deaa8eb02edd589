// nplus1/provenance.cpp -- see nplus1/provenance.h. C-style glue: nothing
// here allocates or raises an error on the rows' way to the client.
#include "extension/common/pg.h"

extern "C" {
#include "access/tupdesc.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/uuid.h"
}

#include "core/common/hot.h"
#include "core/common/sampling.h"
#include "core/nplus1/provenance.h"
#include "extension/nplus1/guc.h"
#include "extension/nplus1/provenance.h"
#include "extension/nplus1/shmem.h"

namespace pothos::ext {

namespace {

// Longer strings are not keys.
constexpr size_t kMaxKeyText = 64;

// The backend's hashing: its writer into its area of shared memory, the
// execution whose rows are hashed, and the sampling of candidates.
struct Rows {
    core::Nplus1ProvWriter writer;
    const QueryDesc* qd;   // the execution whose rows are hashed (rows_open)
    int64 skip;            // candidate executions until the next sampled one (1: this one)
    uint64 draws;
};
Rows g_rows = {core::Nplus1ProvWriter{}, nullptr, 1, 0};

// The receiver in front of an execution's own: hashes, then passes on.
struct RowsReceiver {
    DestReceiver pub;  // first: the executor calls through it
    DestReceiver* inner;
    int ncols;         // columns looked at (up to the last one of a key type)
    Oid types[kNplus1HashedColumns];  // InvalidOid: not a key type
    uint32 last[kNplus1HashedColumns];  // each column's previous hash: a value repeated row after row is kept once
};
RowsReceiver g_receiver;

bool is_key_type(Oid t) {
    switch (t) {
        case INT2OID:
        case INT4OID:
        case INT8OID:
        case OIDOID:
        case NUMERICOID:
        case TEXTOID:
        case VARCHAROID:
        case BPCHAROID:
        case UUIDOID:
            return true;
        default:
            return false;
    }
}

// The bytes of a varlena that is in memory as it is (neither toasted out of
// line nor compressed); false otherwise.
bool plain_bytes(Datum d, const char** data, size_t* len) {
    struct varlena* v = (struct varlena*) DatumGetPointer(d);
    if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v)) return false;
    *data = VARDATA_ANY(v);
    *len = VARSIZE_ANY_EXHDR(v);
    return true;
}

bool rows_receive(TupleTableSlot* slot, DestReceiver* self) {
    RowsReceiver* r = (RowsReceiver*) self;
    core::Nplus1ProvWriter& w = g_rows.writer;
    if (r->ncols > 0 && !w.full()) {
        slot_getsomeattrs(slot, r->ncols);
        for (int a = 0; a < r->ncols && !w.full(); a++) {
            if (r->types[a] == InvalidOid || slot->tts_isnull[a]) continue;
            const uint32 k = nplus1_key_of(slot->tts_values[a], r->types[a]);
            if (k != 0 && k != r->last[a]) w.put(k);
            r->last[a] = k;
        }
    }
    return r->inner->receiveSlot(slot, r->inner);
}

void rows_startup(DestReceiver* self, int operation, TupleDesc desc) {
    RowsReceiver* r = (RowsReceiver*) self;
    r->ncols = 0;
    memset(r->last, 0, sizeof r->last);
    for (int a = 0; a < desc->natts && a < kNplus1HashedColumns; a++) {
        const Form_pg_attribute att = TupleDescAttr(desc, a);
        r->types[a] = !att->attisdropped && is_key_type(att->atttypid) ? att->atttypid : InvalidOid;
        if (r->types[a] != InvalidOid) r->ncols = a + 1;
    }
    r->inner->rStartup(r->inner, operation, desc);
}

void rows_shutdown(DestReceiver* self) {
    RowsReceiver* r = (RowsReceiver*) self;
    r->inner->rShutdown(r->inner);
}

void rows_destroy(DestReceiver* self) {
    RowsReceiver* r = (RowsReceiver*) self;
    r->inner->rDestroy(r->inner);
}

// A uniform draw in (0, 1] for the sampling skips (a hashed counter).
double next_uniform() {
    uint64 x = (++g_rows.draws + (uint64(MyProcPid) << 32)) * 0x9e3779b97f4a7c15ull;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return double((x >> 11) + 1) * (1.0 / 9007199254740992.0);
}

// Whether this candidate execution is sampled (and the skip to the next).
bool sampled() {
    if (POTHOS_LIKELY(g_rows.skip > 1)) {
        if (g_rows.skip != core::kNoSample) g_rows.skip--;
        return false;
    }
    g_rows.skip = core::geometric_gap(nplus1_guc_sample_rate, next_uniform());
    return nplus1_guc_sample_rate > 0;
}

}  // namespace

POTHOS_COLD uint32 nplus1_key_of_other(Datum value, Oid type) {
    const char* data;
    size_t len;
    switch (type) {
        case INT2OID:
            return core::nplus1_key_int(DatumGetInt16(value));
        case OIDOID:
            return core::nplus1_key_int(int64(DatumGetObjectId(value)));
        case NUMERICOID:
            if (!plain_bytes(value, &data, &len)) return 0;
            return core::nplus1_key_numeric(reinterpret_cast<const unsigned char*>(data), len);
        case BPCHAROID:
            if (!plain_bytes(value, &data, &len)) return 0;
            while (len > 0 && data[len - 1] == ' ') len--;  // blanks that pad a bpchar do not count
            return len <= kMaxKeyText ? core::nplus1_key_text(data, len) : 0;
        case TEXTOID:
        case VARCHAROID:
            if (!plain_bytes(value, &data, &len)) return 0;
            return len <= kMaxKeyText ? core::nplus1_key_text(data, len) : 0;
        case UUIDOID:
            return core::nplus1_key_uuid(DatumGetUUIDP(value)->data);
        default:
            return 0;
    }
}

POTHOS_COLD DestReceiver* nplus1_rows_receiver(QueryDesc* qd) {
    // A later ExecutorRun of an execution whose rows are being hashed (a
    // portal fetched in parts) goes on with them; a first run decides.
    const bool first_run = qd->estate == nullptr || qd->estate->es_processed == 0;
    if (first_run || g_rows.qd != qd || !g_nplus1_hot.rows_open) {
        if (!first_run || !sampled()) return nullptr;
        if (!g_rows.writer.valid()) {
            if (MyProc == nullptr || MyProc->pgprocno < 0) return nullptr;
            g_rows.writer = g_nplus1_hot.prov.writer(uint32(MyProc->pgprocno));
            if (!g_rows.writer.valid()) return nullptr;
        }
        g_rows.writer.open(kNplus1HashedValues);  // drops whatever an execution left open
        g_rows.qd = qd;
        g_nplus1_hot.rows_open = true;
    }
    g_receiver.pub.receiveSlot = rows_receive;
    g_receiver.pub.rStartup = rows_startup;
    g_receiver.pub.rShutdown = rows_shutdown;
    g_receiver.pub.rDestroy = rows_destroy;
    g_receiver.pub.mydest = qd->dest->mydest;
    g_receiver.inner = qd->dest;
    g_receiver.ncols = 0;
    return &g_receiver.pub;
}

POTHOS_COLD bool nplus1_rows_end(const QueryDesc* qd, bool parent, uint64 event_seq, uint32* record) {
    g_nplus1_hot.rows_open = false;
    const bool mine = g_rows.qd == qd && g_rows.writer.is_open();
    g_rows.qd = nullptr;
    if (!mine || !parent) {
        if (g_rows.writer.valid()) g_rows.writer.abandon();
        return false;
    }
    *record = uint32(g_rows.writer.publish(event_seq));
    return true;
}

void nplus1_rows_progress(uint64* records, uint64* values) {
    *records = g_rows.writer.valid() ? g_rows.writer.records_written() : 0;
    *values = g_rows.writer.valid() ? g_rows.writer.values_written() : 0;
}

void nplus1_sample_rate_changed() { g_rows.skip = 1; }

}  // namespace pothos::ext
