// Test support: a Client on the test database with a captured log.
#pragma once

#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pothos/client.hpp>

#include "cluster.hpp"

namespace pothos::test {

struct LogCapture {
    std::shared_ptr<Logger> logger;
    std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
    std::shared_ptr<std::mutex> mu = std::make_shared<std::mutex>();
    explicit LogCapture(const std::string& debug_spec = "") : logger(std::make_shared<Logger>(debug_spec)) {
        auto l = lines;
        auto m = mu;
        logger->set_sink([l, m](LogLevel, std::string_view, std::string_view msg) {
            std::lock_guard<std::mutex> lk(*m);
            l->emplace_back(msg);
        });
    }
    bool contains(const std::string& s) const {
        std::lock_guard<std::mutex> lk(*mu);
        for (const auto& l : *lines)
            if (l.find(s) != std::string::npos) return true;
        return false;
    }
};

// A name no other test process uses (tables, functions, sequences).
inline std::string unique_name(const std::string& base) {
    static std::atomic<int> n{0};
    return base + "_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
}

// A pool on the test database with max connections and 5 s timeouts.
inline PoolOptions pool_options(std::size_t max) {
    PoolOptions o;
    o.conninfo = database_url();
    o.max = max;
    o.acquire_timeout = Millis(5000);
    o.create_timeout = Millis(5000);
    return o;
}

// o with leak detection at 100 ms, checked every 50 ms, logging into cap.
inline PoolOptions with_leak_detection(PoolOptions o, const LogCapture& cap) {
    o.leak_detection_threshold = Millis(100);
    o.reap_interval = Millis(50);
    o.logger = cap.logger;
    return o;
}

inline Config test_config(std::size_t max = 4) {
    Config c;
    c.conninfo = database_url();
    c.pool.max = max;
    c.pool.acquire_timeout = Millis(5000);
    c.pool.create_timeout = Millis(5000);
    return c;
}

}  // namespace pothos::test
