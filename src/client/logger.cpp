// Logger: DEBUG-style channel matching and a replaceable sink (stderr by default).
#include <pothos/logger.hpp>

#include <cstdio>

#include "strings.hpp"

namespace pothos {

const char* to_string(LogLevel level) noexcept {
    switch (level) {
        case LogLevel::debug: return "debug";
        case LogLevel::info: return "info";
        case LogLevel::warn: return "warn";
        case LogLevel::error: return "error";
    }
    return "?";
}

Logger::Logger(std::string spec) : patterns_(detail::split_list(spec)) {}

void Logger::set_sink(Sink sink) {
    std::lock_guard<std::mutex> lk(mu_);
    sink_ = std::move(sink);
}

bool Logger::debug_enabled(std::string_view channel) const noexcept {
    for (const auto& p : patterns_) {
        if (!p.empty() && p.back() == '*') {
            if (channel.substr(0, p.size() - 1) == std::string_view(p).substr(0, p.size() - 1))
                return true;
        } else if (channel == p) {
            return true;
        }
    }
    return false;
}

void Logger::log(LogLevel level, std::string_view channel, std::string_view message) const {
    std::lock_guard<std::mutex> lk(mu_);
    if (sink_) {
        sink_(level, channel, message);
        return;
    }
    std::fprintf(stderr, "[pothos %s %.*s] %.*s\n", to_string(level),
                 static_cast<int>(channel.size()), channel.data(), static_cast<int>(message.size()),
                 message.data());
}

}  // namespace pothos
