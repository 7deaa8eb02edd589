// exec_track.cpp -- see exec_track.h.
#include "extension/pg.h"

extern "C" {
#include "access/xact.h"
}

#include "extension/exec_track.h"

namespace pothos::ext {

namespace {
constexpr int kSlots = 64;
ExecTrack g_slots[kSlots];
int g_high = 0;  // slots [0, g_high) may be in use
}  // namespace

ExecTrack* exec_track_begin(const QueryDesc* qd) {
    ExecTrack* t = exec_track_find(qd);  // a stale slot of a reused address
    if (t == nullptr) {
        for (int i = 0; i < g_high; i++)
            if (g_slots[i].qd == nullptr) {
                t = &g_slots[i];
                break;
            }
    }
    if (t == nullptr) {
        if (g_high == kSlots) return nullptr;
        t = &g_slots[g_high++];
    }
    memset(t, 0, sizeof *t);
    t->qd = qd;
    t->subid = GetCurrentSubTransactionId();
    return t;
}

ExecTrack* exec_track_find(const QueryDesc* qd) {
    for (int i = g_high - 1; i >= 0; i--)
        if (g_slots[i].qd == qd) return &g_slots[i];
    return nullptr;
}

void exec_track_free(ExecTrack* t) {
    t->qd = nullptr;
    while (g_high > 0 && g_slots[g_high - 1].qd == nullptr) g_high--;
}

void exec_track_abort(SubTransactionId from) {
    for (int i = 0; i < g_high; i++)
        if (g_slots[i].qd != nullptr && (from == InvalidSubTransactionId || g_slots[i].subid >= from))
            g_slots[i].qd = nullptr;
    while (g_high > 0 && g_slots[g_high - 1].qd == nullptr) g_high--;
}

void usage_mark(UsageMark* m) {
    m->buf0 = pgBufferUsage;
    m->wal0 = pgWalUsage;
    INSTR_TIME_SET_CURRENT(m->t0);
}

void usage_accumulate(ExecTrack* t, const UsageMark* m) {
    instr_time now;
    INSTR_TIME_SET_CURRENT(now);
    INSTR_TIME_SUBTRACT(now, m->t0);
    t->ms += INSTR_TIME_GET_MILLISEC(now);
    BufferUsageAccumDiff(&t->buf, &pgBufferUsage, &m->buf0);
    WalUsageAccumDiff(&t->wal, &pgWalUsage, &m->wal0);
}

double usage_since(const UsageMark* m, core::IoUsage* io) {
    ExecTrack t;
    memset(&t, 0, sizeof t);
    usage_accumulate(&t, m);
    *io = to_io(t.buf, t.wal);
    return t.ms;
}

core::IoUsage to_io(const BufferUsage& b, const WalUsage& w) {
    core::IoUsage io;
    io.shared_blks_hit = b.shared_blks_hit;
    io.shared_blks_read = b.shared_blks_read;
    io.shared_blks_dirtied = b.shared_blks_dirtied;
    io.shared_blks_written = b.shared_blks_written;
    io.local_blks_hit = b.local_blks_hit;
    io.local_blks_read = b.local_blks_read;
    io.local_blks_dirtied = b.local_blks_dirtied;
    io.local_blks_written = b.local_blks_written;
    io.temp_blks_read = b.temp_blks_read;
    io.temp_blks_written = b.temp_blks_written;
    io.blk_read_time_ms = INSTR_TIME_GET_MILLISEC(b.blk_read_time);
    io.blk_write_time_ms = INSTR_TIME_GET_MILLISEC(b.blk_write_time);
    io.wal_records = w.wal_records;
    io.wal_fpi = w.wal_fpi;
    io.wal_bytes = w.wal_bytes;
    return io;
}

}  // namespace pothos::ext
