// The pothos-perf command line: subcommand, connection flags and options,
// read with CLI11 and checked up front so that bad input gives a usage error
// (exit 2), never a half-run command. No libpq here.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_error.hpp"

namespace pothos::cli {

struct Args {
    std::string command;      // report, top, slow, n-plus-one, advise, explain, health, metrics, reset, db
    std::string db_action;    // migrate, status, reset, diff (command == "db")
    std::string sql;          // explain
    ConnectOptions conn;
    // Several servers (report, top, n-plus-one, advise): -d given more than
    // once, or one -d with a whitespace-separated list. Each has conn's host,
    // port and user; conn is the first. Empty for one server.
    std::vector<ConnectOptions> fleet;
    bool json = false;
    bool no_colour = false;
    bool help = false;
    bool version = false;
    std::string html_file;
    int limit = 20;
    std::optional<double> threshold_ms;
    std::optional<double> min_improvement_pct;
    bool apply = false;
    bool yes = false;
    bool allow_writes = false;
    bool force = false;
    std::string dir;
    std::string schema_file;  // db diff
    std::string name;         // db diff: the new migration's description
    bool dry_run = false;     // db diff
    bool allow_destructive = false;  // db diff
};

class UsageError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// Throws UsageError with a message naming the offending argument.
Args parse_args(const std::vector<std::string>& argv);

std::string usage_text();

// One -d value as servers: several when it is a whitespace-separated list of
// postgresql:// (or postgres://) URIs, else the value itself (a database
// name, a URI, a "key=value ..." connection string); none when empty.
std::vector<std::string> split_uri_list(const std::string& value);

}  // namespace pothos::cli
