// normalize.cpp -- see normalize.h.
#include "core/normalize.h"

#include <cstdio>
#include <cstring>

namespace pothos::core {

namespace {

struct Writer {
    char* out;
    size_t cap;
    size_t n = 0;

    void put(const char* s, size_t len) {
        if (n >= cap) return;
        if (len > cap - n) len = cap - n;
        std::memcpy(out + n, s, len);
        n += len;
    }
};

}  // namespace

size_t normalize_constants(const char* text, size_t len, const ConstLocation* locs, size_t nlocs,
                           int first_param, char* out, size_t cap) {
    Writer w{out, cap};
    size_t copied = 0;  // text before this offset is already written
    int param = first_param;
    for (size_t i = 0; i < nlocs; i++) {
        if (locs[i].length < 0 || locs[i].location < 0) continue;
        size_t start = static_cast<size_t>(locs[i].location);
        size_t end = start + static_cast<size_t>(locs[i].length);
        if (start < copied || end > len) continue;  // duplicate, overlapping or out of range
        w.put(text + copied, start - copied);
        char buf[16];
        int k = std::snprintf(buf, sizeof buf, "$%d", param++);
        w.put(buf, static_cast<size_t>(k));
        copied = end;
    }
    w.put(text + copied, len - copied);
    return w.n;
}

}  // namespace pothos::core
