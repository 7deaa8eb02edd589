// Test support: the main test database and extra throwaway clusters.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace pothos::test {

// DATABASE_URL of the cluster started by scripts/test-client.sh.
std::string database_url();

// A cluster of our own (restarts, bad passwords, replicas), removed on destruction.
class TempCluster {
public:
    static std::unique_ptr<TempCluster> start(const std::vector<std::string>& conf = {});
    static std::unique_ptr<TempCluster> replica_of(const TempCluster& primary);
    ~TempCluster();

    int port() const { return port_; }
    std::string url(const std::string& user = "postgres", const std::string& password = "") const;
    void stop();
    void start_again();
    void restart();
    void prepend_hba(const std::string& line);

private:
    TempCluster(std::string dir, int port) : dir_(std::move(dir)), port_(port) {}
    std::string dir_;
    int port_;
};

// Runs the fixture script; returns its stdout, throws on failure.
std::string run_fixture(const std::vector<std::string>& args);

}  // namespace pothos::test
