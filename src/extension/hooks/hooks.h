// hooks.h -- the planner, executor, utility and parse-analysis hooks.
#pragma once

namespace pothos::ext {

// Chains every hook to the one installed before it. Called from _PG_init.
void install_hooks();

}  // namespace pothos::ext
