// nplus1/shmem.h -- the detector's shared memory: the window of recent
// statements (one ring per backend, no lock), what parent queries returned
// (core/nplus1/provenance.h: one area per backend, no lock) and the
// findings table (one LWLock, taken exclusively only to publish findings at
// the end of a unit or to reset). Only this module takes the lock: findings are published,
// copied, counted and reset through the functions below.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "datatype/timestamp.h"
}

#include "core/nplus1/findings.h"
#include "core/nplus1/window.h"
#include "extension/common/guard.h"
#include "extension/nplus1/hot.h"

namespace pothos::ext {

void nplus1_shmem_request();
void nplus1_shmem_startup();

// Set up by nplus1_shmem_startup (in g_nplus1_hot); inline because every
// statement asks.
inline bool nplus1_ready() { return g_nplus1_hot.ready; }
inline core::Nplus1Window& nplus1_window() { return g_nplus1_hot.window; }
inline const core::Nplus1ProvArea& nplus1_prov_area() { return g_nplus1_hot.prov; }

// Records the findings of one analysis (one exclusive lock for all).
void nplus1_publish(const core::Nplus1Finding* f, size_t n);

// The findings seen in at least min_occurrences units, copied (palloc'd, *n
// of them). May ereport.
POTHOS_PLAIN(core::Nplus1FindingEntry);
core::Nplus1FindingEntry* nplus1_snapshot(int min_occurrences, uint32* n);

struct Nplus1Info {
    int64 capacity;
    int64 entries;
    int64 evictions;
    TimestampTz stats_reset;
    int64 listed;  // entries seen in at least min_occurrences units
    int64 round_trips_saved;  // by batching the listed entries (core::nplus1_round_trips_saved)
};
POTHOS_PLAIN(Nplus1Info);
Nplus1Info nplus1_info(int min_occurrences);

// Forgets every finding and the units still in the window (occurrences
// anchored on statements that started before now are not counted again);
// returns how many findings there were.
int64 nplus1_reset();

}  // namespace pothos::ext
