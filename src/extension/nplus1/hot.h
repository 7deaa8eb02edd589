// nplus1/hot.h -- everything the N+1 detector's per-statement path reads on
// its common path, in two adjacent cache lines of one backend-local struct.
//
// Between two statements a backend waits for its client, and the kernel's
// network path evicts most of the backend's data from the caches, so each
// distinct line that the next statement touches is a miss. Sampled with perf
// (bench/extension/profile.sh), the detector's time went mostly to
// the loads of its scattered globals: the parameters, the shared-memory flag,
// the client and unit caches, each in a line of its own. Here they share
// two. The parameters' variables are fields of this struct (the GUC
// machinery writes them in place); pothos_perf.request_id, a string, is
// mirrored by its assign hook as a flag and a hash.
#pragma once

#include "extension/common/pg.h"

#include "core/nplus1/provenance.h"
#include "core/nplus1/window.h"

namespace pothos::ext {

struct alignas(64) Nplus1Hot {
    // First line: read by every statement.
    bool enabled;         // pothos_perf.n_plus_one
    bool ready;           // shared memory attached
    bool client_ready;    // client_user, client_app and client_group are set
    bool request_id_set;  // pothos_perf.request_id is not empty
    bool pending;         // an analysis of pending_group is due
    bool nested_seen;     // a nested statement entered the window since the last top-level one
    bool rows_open;       // a statement's rows are being hashed (nplus1/provenance.h)
    int min_repeats;      // pothos_perf.n_plus_one_min_repeats
    int idle_gap_ms;      // pothos_perf.n_plus_one_idle_gap
    Oid client_user;      // the user the client group was computed for (InvalidOid: none yet)
    const char* client_app;  // application_name the client group was computed with
    uint64 client_group;
    uint64 unit_group;       // the backend's current unit of work
    uint64 unit_salt;        // changes with every unit (the repeat slots' tags)
    int64 unit_last_end_us;  // end of its latest statement
    // Second line: the backend's own ring, and what is read when a trigger
    // fired.
    core::Nplus1RingWriter ring;  // invalid until the backend's first statement
    uint64 pending_group;
    int64 pending_since_us;
    uint64 pending_seq;     // the ring's head when the pending analysis was asked for
    uint64 request_id_tag;  // hash of pothos_perf.request_id (0: none)
    int64 unit_start_us;    // start of the unit's first statement (read when a trigger fired)
    // Read by analysis only (and the provenance area by a hashing execution).
    core::Nplus1Window window;
    core::Nplus1ProvArea prov;
};

static_assert(offsetof(Nplus1Hot, ring) == 64, "the fields every statement reads fill the first line");

extern Nplus1Hot g_nplus1_hot;

}  // namespace pothos::ext
