// pothos-perf: the command line of pothos_perf (see docs/cli.md).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"

#ifndef POTHOS_VERSION
#define POTHOS_VERSION "0.1.0"
#endif

int main(int argc, char** argv) {
    using namespace pothos::cli;
    std::vector<std::string> av(argv + 1, argv + argc);
    Args args;
    try {
        args = parse_args(av);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "pothos-perf: %s\n\n%s", e.what(), usage_text().c_str());
        return kExitUsage;
    }
    if (args.help) {
        std::fputs(usage_text().c_str(), stdout);
        return kExitOk;
    }
    if (args.version) {
        std::puts("pothos-perf " POTHOS_VERSION);
        return kExitOk;
    }
    try {
        int rc = run_command(args);
        std::fflush(stdout);
        return rc;
    } catch (const CliError& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "pothos-perf: error: %s\n", e.what());
        return e.code();
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "pothos-perf: error: %s\n", e.what());
        return kExitFailure;
    }
}
