// exec_track.cpp -- see exec_track.h.
#include "extension/common/pg.h"

extern "C" {
#include "access/xact.h"
}

#include "core/common/hot.h"
#include "extension/hooks/exec_track.h"

namespace pothos::ext {

struct ExecTrack {
    Instrumentation instr;  // the executor's totaltime, unless it had one
    const QueryDesc* qd;    // NULL: free
    SubTransactionId subid;
    TimestampTz start;      // statement_timestamp() when the executor started
};

namespace {

constexpr int kSlots = 64;
ExecTrack g_slots[kSlots];
int g_high = 0;  // slots [0, g_high) may be in use

inline void trim_high() {
    while (g_high > 0 && g_slots[g_high - 1].qd == nullptr) g_high--;
}

// The slot whose Instrumentation is totaltime; nullptr if it is not ours.
inline ExecTrack* slot_of(const Instrumentation* totaltime) {
    const char* p = reinterpret_cast<const char*>(totaltime);
    const char* base = reinterpret_cast<const char*>(g_slots);
    if (p < base || p >= base + sizeof g_slots) return nullptr;
    return &g_slots[(p - base) / sizeof(ExecTrack)];
}

}  // namespace

POTHOS_HOT bool exec_track_begin(QueryDesc* qd) {
    ExecTrack* t = nullptr;
    for (int i = 0; i < g_high; i++)
        if (g_slots[i].qd == nullptr) {
            t = &g_slots[i];
            break;
        }
    if (t == nullptr) {
        if (POTHOS_UNLIKELY(g_high == kSlots)) return qd->totaltime != nullptr;
        t = &g_slots[g_high++];
    }
    t->qd = qd;
    t->subid = GetCurrentSubTransactionId();
    t->start = GetCurrentStatementStartTimestamp();
    if (qd->totaltime != nullptr) return true;
    // What InstrInit(&t->instr, INSTRUMENT_ALL) does, without a call.
    memset(&t->instr, 0, sizeof t->instr);
    t->instr.need_timer = true;
    t->instr.need_bufusage = true;
    t->instr.need_walusage = true;
    qd->totaltime = &t->instr;
    return true;
}

POTHOS_HOT bool exec_track_owns(const Instrumentation* totaltime) { return slot_of(totaltime) != nullptr; }

POTHOS_HOT ExecTrack* exec_track_of(const QueryDesc* qd) {
    // The slot its totaltime is (one test), else the newest one taken for it.
    ExecTrack* t = slot_of(qd->totaltime);
    if (POTHOS_LIKELY(t != nullptr && t->qd == qd)) return t;
    for (int i = g_high; i-- > 0;)
        if (g_slots[i].qd == qd) return &g_slots[i];
    return nullptr;
}

POTHOS_HOT TimestampTz exec_track_start(const ExecTrack* t) {
    return POTHOS_LIKELY(t != nullptr) ? t->start : GetCurrentStatementStartTimestamp();
}

POTHOS_HOT void exec_track_end(ExecTrack* t) {
    if (t == nullptr) return;
    t->qd = nullptr;
    trim_high();
}

void exec_track_abort(SubTransactionId from) {
    for (int i = 0; i < g_high; i++)
        if (g_slots[i].qd != nullptr && (from == InvalidSubTransactionId || g_slots[i].subid >= from))
            g_slots[i].qd = nullptr;
    trim_high();
}

void usage_mark(UsageMark* m) {
    m->buf0 = pgBufferUsage;
    m->wal0 = pgWalUsage;
    INSTR_TIME_SET_CURRENT(m->t0);
}

double usage_since(const UsageMark* m, core::IoUsage* io) {
    instr_time now;
    INSTR_TIME_SET_CURRENT(now);
    INSTR_TIME_SUBTRACT(now, m->t0);
    BufferUsage buf;
    WalUsage wal;
    memset(&buf, 0, sizeof buf);
    memset(&wal, 0, sizeof wal);
    BufferUsageAccumDiff(&buf, &pgBufferUsage, &m->buf0);
    WalUsageAccumDiff(&wal, &pgWalUsage, &m->wal0);
    *io = to_io(buf, wal);
    return INSTR_TIME_GET_MILLISEC(now);
}

POTHOS_HOT core::IoUsage to_io(const BufferUsage& b, const WalUsage& w) {
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
