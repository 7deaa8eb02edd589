// Test support: runs support/cluster.sh and wraps its clusters.
#include "cluster.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace pothos::test {

std::string database_url() {
    const char* url = std::getenv("DATABASE_URL");
    if (!url || !*url) throw std::runtime_error("DATABASE_URL is not set (run scripts/test-client.sh)");
    return url;
}

namespace {
std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}
}  // namespace

std::string run_fixture(const std::vector<std::string>& args) {
    std::string cmd = shell_quote(POTHOS_CLUSTER_SCRIPT);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed: " + cmd);
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    int rc = ::pclose(p);
    if (rc != 0) throw std::runtime_error("fixture failed (" + std::to_string(rc) + "): " + cmd);
    return out;
}

std::unique_ptr<TempCluster> TempCluster::start(const std::vector<std::string>& conf) {
    std::vector<std::string> args{"start"};
    args.insert(args.end(), conf.begin(), conf.end());
    std::istringstream in(run_fixture(args));
    std::string dir;
    int port = 0;
    in >> dir >> port;
    if (dir.empty() || port == 0) throw std::runtime_error("fixture: bad start output");
    return std::unique_ptr<TempCluster>(new TempCluster(dir, port));
}

std::unique_ptr<TempCluster> TempCluster::replica_of(const TempCluster& primary) {
    std::istringstream in(run_fixture({"replica", std::to_string(primary.port())}));
    std::string dir;
    int port = 0;
    in >> dir >> port;
    if (dir.empty() || port == 0) throw std::runtime_error("fixture: bad replica output");
    return std::unique_ptr<TempCluster>(new TempCluster(dir, port));
}

TempCluster::~TempCluster() {
    try {
        run_fixture({"remove", dir_});
    } catch (...) {
    }
}

std::string TempCluster::url(const std::string& user, const std::string& password) const {
    return "postgresql://" + user + (password.empty() ? "" : ":" + password) + "@127.0.0.1:" +
           std::to_string(port_) + "/postgres";
}

void TempCluster::stop() { run_fixture({"stop", dir_}); }
void TempCluster::start_again() { run_fixture({"start-again", dir_}); }
void TempCluster::restart() { run_fixture({"restart", dir_}); }
void TempCluster::prepend_hba(const std::string& line) { run_fixture({"hba", dir_, line}); }

}  // namespace pothos::test
