// Logger: DEBUG-style channel matching and a replaceable sink (stderr by default).
#include <pothos/logger.hpp>

#include <cstdio>

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

Logger::Logger(std::string spec) {
    std::size_t start = 0;
    while (start <= spec.size()) {
        std::size_t end = spec.find(',', start);
        if (end == std::string::npos) end = spec.size();
        std::string p = spec.substr(start, end - start);
        while (!p.empty() && p.front() == ' ') p.erase(p.begin());
        while (!p.empty() && p.back() == ' ') p.pop_back();
        if (!p.empty()) patterns_.push_back(p);
        start = end + 1;
    }
}

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
