// exec_track.h -- per-backend accounting of running executors without
// allocation: a fixed table of slots keyed by QueryDesc, each summing the
// time and buffer/WAL usage of the ExecutorRun/ExecutorFinish calls of its
// query. Slots of executors that died in an error are cleared when their
// (sub)transaction aborts.
#pragma once

#include "extension/pg.h"

extern "C" {
#include "executor/execdesc.h"
#include "executor/instrument.h"
#include "portability/instr_time.h"
}

#include "core/stat_counters.h"

namespace pothos::ext {

struct ExecTrack {
    const QueryDesc* qd;  // NULL: free
    SubTransactionId subid;
    double ms;
    BufferUsage buf;
    WalUsage wal;
};

// A point in time and in the backend's usage counters.
struct UsageMark {
    instr_time t0;
    BufferUsage buf0;
    WalUsage wal0;
};

ExecTrack* exec_track_begin(const QueryDesc* qd);  // NULL when all slots are busy
ExecTrack* exec_track_find(const QueryDesc* qd);
void exec_track_free(ExecTrack* t);
void exec_track_abort(SubTransactionId from);       // InvalidSubTransactionId: all

void usage_mark(UsageMark* m);
// Adds the time and usage since m to t.
void usage_accumulate(ExecTrack* t, const UsageMark* m);
// Time (ms) and usage since m.
double usage_since(const UsageMark* m, core::IoUsage* io);
core::IoUsage to_io(const BufferUsage& b, const WalUsage& w);

}  // namespace pothos::ext
