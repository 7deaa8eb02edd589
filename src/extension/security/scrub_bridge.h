// security/scrub_bridge.h -- core/security/value_scrub.h for the glue: texts
// without the values of the statements they came from (the boundary rules:
// guard.h). Both fail closed: a text that cannot be scrubbed is not kept.
#pragma once

#include "extension/common/pg.h"

namespace pothos::ext {

// s[0, len) with its literals replaced by $n, written into buf (at most cap
// bytes, not NUL-terminated, possibly cut inside a character); its length,
// or -1 when scrubbing failed.
int scrub_sql_into(const char* s, int len, char* buf, int cap) noexcept;

// An EXPLAIN output with the constants of its expressions replaced
// (palloc'd); NULL when scrubbing failed.
char* scrub_plan_text(const char* plan) noexcept;

}  // namespace pothos::ext
