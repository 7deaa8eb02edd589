// Log output of the client library. Warnings and slow queries always go to the
// sink; debug channels ("db:pool", "db:query") only when enabled by a DEBUG
// specification such as "db:*" (comma separated, '*' matches any suffix).
//
// Thread safety: thread-safe; the sink is called under the logger's lock,
// one message at a time.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pothos {

enum class LogLevel { debug, info, warn, error };
const char* to_string(LogLevel level) noexcept;

class Logger {
public:
    using Sink = std::function<void(LogLevel, std::string_view channel, std::string_view message)>;

    explicit Logger(std::string debug_spec = {});

    void set_sink(Sink sink);
    bool debug_enabled(std::string_view channel) const noexcept;
    void log(LogLevel level, std::string_view channel, std::string_view message) const;
    void debug(std::string_view channel, std::string_view message) const {
        if (debug_enabled(channel)) log(LogLevel::debug, channel, message);
    }

private:
    std::vector<std::string> patterns_;
    mutable std::mutex mu_;
    Sink sink_;
};

}  // namespace pothos
