#include "terminal.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace pothos::cli {

bool stdout_wants_colour() {
    const char* no = std::getenv("NO_COLOR");
    if (no && *no) return false;
    return isatty(STDOUT_FILENO) == 1;
}

bool stdin_is_terminal() { return isatty(STDIN_FILENO) == 1; }

Progress::Progress() : enabled_(isatty(STDERR_FILENO) == 1) {
    if (enabled_) thread_ = std::thread([this] { run(); });
}

Progress::~Progress() {
    if (!enabled_) return;
    {
        std::lock_guard<std::mutex> lk(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void Progress::step(const std::string& message) {
    if (!enabled_) return;
    {
        std::lock_guard<std::mutex> lk(mu_);
        message_ = message;
        ++generation_;
    }
    cv_.notify_all();
}

void Progress::run() {
    static const char* const frames[] = {"|", "/", "-", "\\"};
    std::unique_lock<std::mutex> lk(mu_);
    bool shown = false;
    while (!stop_) {
        unsigned gen = generation_;
        auto started = std::chrono::steady_clock::now();
        int frame = 0;
        while (!stop_ && gen == generation_) {
            if (std::chrono::steady_clock::now() - started >= std::chrono::seconds(1) && !message_.empty()) {
                std::fprintf(stderr, "\r\x1b[K%s %s", frames[frame++ % 4], message_.c_str());
                std::fflush(stderr);
                shown = true;
            }
            cv_.wait_for(lk, std::chrono::milliseconds(150));
        }
        if (shown) {
            std::fprintf(stderr, "\r\x1b[K");
            std::fflush(stderr);
            shown = false;
        }
    }
}

bool confirm(const std::string& question) {
    std::fprintf(stderr, "%s [y/N] ", question.c_str());
    std::fflush(stderr);
    std::string line;
    if (!std::getline(std::cin, line)) return false;
    return line == "y" || line == "Y" || line == "yes" || line == "YES" || line == "Yes";
}

}  // namespace pothos::cli
