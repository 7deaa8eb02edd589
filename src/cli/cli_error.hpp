// Exit codes of pothos-perf, the error that carries one, and the
// connection settings given on the command line. No libpq here.
#pragma once

#include <stdexcept>
#include <string>

namespace pothos::cli {

// Exit codes of pothos-perf (docs/cli.md).
enum ExitCode : int {
    kExitOk = 0,
    kExitFailure = 1,     // a query failed, a migration failed, a check failed
    kExitUsage = 2,       // bad command line
    kExitConnect = 3,     // server unreachable or authentication refused
    kExitNoExtension = 4, // pothos_perf not installed / not preloaded
};

class CliError : public std::runtime_error {
public:
    CliError(int code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
    int code() const { return code_; }

private:
    int code_;
};

struct ConnectOptions {
    std::string host, port, user, dbname;  // empty: not given on the command line
};

}  // namespace pothos::cli
