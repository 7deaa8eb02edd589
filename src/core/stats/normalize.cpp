// normalize.cpp -- see normalize.h.
#include "core/stats/normalize.h"

#include <cctype>
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

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// A comment body in sqlcommenter form: one or more key='value' pairs
// separated by commas (keys of letters, digits, '_', '-', '.').
bool is_tag_body(const char* b, size_t n) {
    size_t i = 0;
    bool any = false;
    while (i < n) {
        while (i < n && is_space(b[i])) i++;
        size_t k = i;
        while (i < n && (std::isalnum(static_cast<unsigned char>(b[i])) || b[i] == '_' || b[i] == '-' ||
                         b[i] == '.'))
            i++;
        if (i == k || i + 1 >= n || b[i] != '=' || b[i + 1] != '\'') return false;
        i += 2;
        while (i < n && b[i] != '\'') i++;
        if (i >= n) return false;
        i++;  // closing quote
        any = true;
        while (i < n && is_space(b[i])) i++;
        if (i < n) {
            if (b[i] != ',') return false;
            i++;
        }
    }
    return any;
}

}  // namespace

void trim_tag_comments(const char* text, size_t len, size_t* start, size_t* out_len) noexcept {
    size_t b = 0, e = len;
    for (bool changed = true; changed;) {
        changed = false;
        while (b < e && is_space(text[b])) b++;
        while (e > b && (is_space(text[e - 1]) || text[e - 1] == ';')) e--;
        // leading /* ... */
        if (e - b >= 4 && text[b] == '/' && text[b + 1] == '*') {
            const char* close = static_cast<const char*>(memmem(text + b + 2, e - b - 2, "*/", 2));
            if (close && is_tag_body(text + b + 2, static_cast<size_t>(close - (text + b + 2)))) {
                b = static_cast<size_t>(close - text) + 2;
                changed = true;
                continue;
            }
        }
        // trailing /* ... */ (the last "/*" before the final "*/")
        if (e - b >= 4 && text[e - 1] == '/' && text[e - 2] == '*') {
            size_t open = e - 2;
            while (open > b && !(text[open - 1] == '/' && text[open] == '*')) open--;
            if (open > b && is_tag_body(text + open + 1, e - 2 - (open + 1))) {
                e = open - 1;
                changed = true;
            }
        }
    }
    *start = b;
    *out_len = e - b;
}

size_t normalize_constants(const char* text, size_t len, const ConstLocation* locs, size_t nlocs,
                           int first_param, char* out, size_t cap) noexcept {
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
