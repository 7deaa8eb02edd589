// Test support: the TCP proxy (see tcp_proxy.hpp). One thread, one poll loop.
#include "tcp_proxy.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace pothos::test {
namespace {

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    return a;
}

// Copies what is readable on from to to; false when from is closed.
bool pump(int from, int to) {
    char buf[16384];
    const ssize_t n = ::read(from, buf, sizeof buf);
    if (n <= 0) return false;
    for (ssize_t done = 0; done < n;) {
        const ssize_t w = ::write(to, buf + done, static_cast<size_t>(n - done));
        if (w <= 0) return false;
        done += w;
    }
    return true;
}

}  // namespace

TcpProxy::TcpProxy(int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = loopback(0);
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 64) != 0 || ::pipe(wake_pipe_) != 0)
        throw std::runtime_error("proxy: cannot listen");
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
}

TcpProxy::~TcpProxy() {
    stop_ = true;
    wake();
    thread_.join();
    for (const auto& p : pairs_) {
        ::close(p.client);
        if (p.upstream >= 0) ::close(p.upstream);
    }
    ::close(listen_fd_);
    ::close(wake_pipe_[0]);
    ::close(wake_pipe_[1]);
}

void TcpProxy::wake() {
    const char c = 1;
    (void)!::write(wake_pipe_[1], &c, 1);
}

void TcpProxy::hang_new_connections(bool on) {
    hang_ = on;
    wake();
}

void TcpProxy::freeze(bool on) {
    frozen_ = on;
    wake();
}

void TcpProxy::run() {
    while (!stop_) {
        std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
        const bool frozen = frozen_;
        for (const auto& p : pairs_) {
            const short ev = frozen || p.upstream < 0 ? 0 : POLLIN;
            fds.push_back({p.client, ev, 0});
            fds.push_back({p.upstream, ev, 0});  // a negative fd is ignored by poll
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) continue;
        if (fds[1].revents) {
            char buf[64];
            (void)!::read(wake_pipe_[0], buf, sizeof buf);
        }
        const std::size_t polled = pairs_.size();  // pairs accepted below were not polled
        if (fds[0].revents & POLLIN) {
            const int c = ::accept(listen_fd_, nullptr, nullptr);
            if (c >= 0) {
                ++accepted_;
                int u = -1;
                if (!hang_) {
                    u = ::socket(AF_INET, SOCK_STREAM, 0);
                    sockaddr_in a = loopback(upstream_port_);
                    if (::connect(u, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
                        ::close(u);
                        ::close(c);
                        continue;
                    }
                }
                pairs_.push_back({c, u});
            }
        }
        std::vector<Pair> alive;
        for (std::size_t i = 0; i < pairs_.size(); ++i) {
            const Pair& p = pairs_[i];
            const short rc = i < polled ? fds[2 + 2 * i].revents : 0;
            const short ru = i < polled ? fds[3 + 2 * i].revents : 0;
            bool ok = true;
            if (rc & (POLLIN | POLLHUP | POLLERR)) ok = pump(p.client, p.upstream);
            if (ok && (ru & (POLLIN | POLLHUP | POLLERR))) ok = pump(p.upstream, p.client);
            if (ok) {
                alive.push_back(p);
            } else {
                ::close(p.client);
                ::close(p.upstream);
            }
        }
        pairs_.swap(alive);
    }
}

}  // namespace pothos::test
