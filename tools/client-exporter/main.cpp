// pothos-client-exporter: runs a small, steady workload through the pothos
// client library and answers GET /metrics with client.metrics_text(), the
// application-side series Prometheus scrapes next to the servers' own
// endpoints.
//
// Usage: pothos-client-exporter --port N [--interval-ms MS]
// Connection: DATABASE_URL and DATABASE_REPLICA_URLS (pothos::Config::from_env),
// so reads are spread over a primary and its standbys as in an application.
//
// The workload, every MS milliseconds: a read on the pool (routed to a
// replica when one is configured), a write-free statement in a session on the
// primary, and one statement that fails (so the error counter moves too).
// Stops on SIGINT or SIGTERM.

#include <pothos/pothos.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop.store(true); }

[[noreturn]] void usage(const char* msg) {
    std::fprintf(stderr, "pothos-client-exporter: %s\nusage: pothos-client-exporter --port N [--interval-ms MS]\n",
                 msg);
    std::exit(2);
}

int number(const char* name, const char* v, long lo, long hi) {
    char* end = nullptr;
    long n = std::strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) usage((std::string(name) + ": expected a whole number").c_str());
    return int(n);
}

void workload(pothos::Client& client, int interval_ms) {
    while (!g_stop.load()) {
        try {
            client.query("SELECT count(*) FROM pg_catalog.pg_class WHERE relkind = $1", {"r"});
            auto s = client.session();
            s.query("SELECT now()");
        } catch (const std::exception& e) {
            std::fprintf(stderr, "pothos-client-exporter: workload: %s\n", e.what());
        }
        try {
            client.query("SELECT * FROM pothos_exporter_no_such_table");
        } catch (const pothos::DatabaseError&) {
            // expected: counted as status="error"
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    }
}

void send_all(int fd, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;
        off += std::size_t(n);
    }
}

// One request per connection: reads the request head (at most 8 kB, 5 s),
// answers GET /metrics, 404 otherwise.
void answer(int fd, const pothos::Client& client) {
    std::string head;
    char buf[1024];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 8192) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        head.append(buf, std::size_t(n));
    }
    std::string status = "404 Not Found", type = "text/plain; charset=utf-8", body = "not found\n";
    if (head.rfind("GET /metrics ", 0) == 0 || head.rfind("GET /metrics?", 0) == 0) {
        status = "200 OK";
        type = "text/plain; version=0.0.4; charset=utf-8";
        body = client.metrics_text();
    }
    send_all(fd, "HTTP/1.0 " + status + "\r\nContent-Type: " + type +
                     "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                     body);
}

}  // namespace

int main(int argc, char** argv) {
    int port = 0, interval_ms = 200;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc) usage((a + " needs a value").c_str());
        if (a == "--port") port = number("--port", argv[++i], 1, 65535);
        else if (a == "--interval-ms") interval_ms = number("--interval-ms", argv[++i], 10, 60000);
        else usage(("unknown argument " + a).c_str());
    }
    if (port == 0) usage("--port is required");

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(std::uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || ::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 16) != 0) {
        std::fprintf(stderr, "pothos-client-exporter: cannot listen on 127.0.0.1:%d: %s\n", port,
                     std::strerror(errno));
        return 1;
    }

    try {
        pothos::Client client = pothos::Client::from_env();
        std::thread worker(workload, std::ref(client), interval_ms);
        std::fprintf(stderr, "pothos-client-exporter: serving http://127.0.0.1:%d/metrics\n", port);
        while (!g_stop.load()) {
            pollfd p{lfd, POLLIN, 0};
            if (::poll(&p, 1, 200) <= 0) continue;
            int fd = ::accept(lfd, nullptr, nullptr);
            if (fd < 0) continue;
            answer(fd, client);
            ::close(fd);
        }
        worker.join();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pothos-client-exporter: %s\n", e.what());
        ::close(lfd);
        return 1;
    }
    ::close(lfd);
    return 0;
}
