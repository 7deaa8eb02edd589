// Runs one parsed pothos-perf command: data access (repository, migrator)
// then rendering (text, JSON, HTML) to stdout / a file. Returns the exit code.
#pragma once

#include "args.hpp"

namespace pothos::cli {

int run_command(const Args& args);

}  // namespace pothos::cli
