// Deadlines: a point in time plus the name and value of the limit it comes
// from, so that whatever fires can say which limit it was ("timeout (200
// ms)", "validation_timeout (1000 ms)") with its real value.
//
// Thread safety: plain values.
#pragma once

#include <chrono>
#include <optional>

namespace pothos {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

struct Deadline {
    std::optional<Clock::time_point> at;  // none: wait as long as it takes
    const char* limit = "timeout";        // the limit's name, for messages
    Millis budget{0};                     // the limit's configured value

    Deadline() = default;
    Deadline(std::nullopt_t) {}
    Deadline(Clock::time_point t) : at(t) {}
    Deadline(Clock::time_point t, const char* name, Millis value)
        : at(t), limit(name), budget(value) {}
    // now + value, named.
    static Deadline after(Millis value, const char* name = "timeout") {
        return Deadline(Clock::now() + value, name, value);
    }
    explicit operator bool() const noexcept { return at.has_value(); }
};

}  // namespace pothos
