// What pothos-perf needs from the terminal: whether to colour stdout, a
// progress indicator on stderr for slow steps, and a y/N confirmation.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace pothos::cli {

// True when stdout is a terminal and NO_COLOR is unset (or empty).
bool stdout_wants_colour();
bool stdin_is_terminal();

// Shows "<message> …" with a spinner on stderr once the step has taken more
// than a second, only when stderr is a terminal; erased when done.
class Progress {
public:
    Progress();
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;
    void step(const std::string& message);

private:
    void run();
    bool enabled_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::string message_;
    unsigned generation_ = 0;
    bool stop_ = false;
    std::thread thread_;
};

// Asks `question [y/N] ` on stderr and reads a line from stdin; true on y/yes.
bool confirm(const std::string& question);

}  // namespace pothos::cli
