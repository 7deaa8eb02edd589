// persist.h -- the statistics file: written by the postmaster at a clean
// shutdown, read (then removed) at start-up, as pg_stat_statements does.
#pragma once

#include "core/stats/table.h"

namespace pothos::ext {

void persist_save(core::StatTable& table);
void persist_load(core::StatTable& table);

}  // namespace pothos::ext
