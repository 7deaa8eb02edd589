// Test helper: run `promtool check metrics` (Debian package prometheus) on a
// text, for the tests of the Prometheus output.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace pothos::test {

inline bool promtool_available() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

struct PromtoolResult {
    int exit_code = -1;  // -1: could not run
    std::string output;  // stdout and stderr
};

// Writes the text to a temporary file and checks it (parser and linter).
inline PromtoolResult promtool_check(const std::string& text) {
    PromtoolResult r;
    char path[] = "/tmp/pothos_metrics_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return r;
    bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(fd);
    if (written) {
        std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
        if (FILE* p = popen(cmd.c_str(), "r")) {
            char buf[256];
            while (std::fgets(buf, sizeof buf, p)) r.output += buf;
            int status = pclose(p);
            if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
        }
    }
    unlink(path);
    return r;
}

}  // namespace pothos::test
