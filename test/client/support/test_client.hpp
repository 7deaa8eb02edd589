// Test support: a Client on the test database with a captured log.
#pragma once

#include <memory>
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

inline Config test_config(std::size_t max = 4) {
    Config c;
    c.conninfo = database_url();
    c.pool.max = max;
    c.pool.acquire_timeout = Millis(5000);
    c.pool.create_timeout = Millis(5000);
    return c;
}

}  // namespace pothos::test
