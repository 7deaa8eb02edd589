// Test support: a TCP proxy on a loopback port in front of a real server,
// for faults that need real sockets: new connections that hang (accepted,
// never forwarded: a libpq handshake waits until our create_timeout) and
// frozen traffic (bytes stay in the kernel's buffers until thawed).
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace pothos::test {

class TcpProxy {
public:
    explicit TcpProxy(int upstream_port);
    ~TcpProxy();
    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    int port() const noexcept { return port_; }
    // New connections are accepted but never forwarded (nor closed).
    void hang_new_connections(bool on);
    // No bytes are forwarded on any connection while frozen.
    void freeze(bool on);
    int accepted() const noexcept { return accepted_.load(); }

private:
    struct Pair {
        int client, upstream;  // upstream -1: a hung connection
    };
    void run();
    void wake();

    int upstream_port_;
    int listen_fd_ = -1;
    int port_ = 0;
    int wake_pipe_[2] = {-1, -1};
    std::atomic<bool> hang_{false}, frozen_{false}, stop_{false};
    std::atomic<int> accepted_{0};
    std::vector<Pair> pairs_;  // the proxy thread's
    std::thread thread_;
};

}  // namespace pothos::test
