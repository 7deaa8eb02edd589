// nplus1/tag.cpp -- see nplus1/tag.h.
#include "core/nplus1/tag.h"

#include <cstring>

namespace pothos::core {

uint64_t nplus1_hash_bytes(const void* data, size_t len, uint64_t h) noexcept {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Parses one comment body [p, end): key='value' pairs separated by commas.
bool tag_in_comment(const char* p, const char* end, uint64_t* out) {
    const char* request = nullptr;
    size_t request_len = 0;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t')) p++;
        const char* key = p;
        while (p < end && *p != '=' && *p != ',') p++;
        if (p >= end || *p != '=') return false;
        size_t key_len = size_t(p - key);
        p++;
        if (p >= end || *p != '\'') return false;
        const char* val = ++p;
        while (p < end && *p != '\'') p++;
        if (p >= end) return false;
        size_t val_len = size_t(p - val);
        p++;
        if (key_len == 11 && std::memcmp(key, "traceparent", 11) == 0) {
            // version-traceid-spanid-flags; the trace id is 32 hex digits.
            if (val_len >= 35 && val[2] == '-') {
                const char* t = val + 3;
                bool ok = true;
                for (int i = 0; i < 32 && ok; i++) ok = is_hex(t[i]);
                if (ok && (val_len == 35 || t[32] == '-')) {
                    *out = nplus1_hash_bytes(t, 32) | 1;
                    return true;
                }
            }
        } else if ((key_len == 10 && std::memcmp(key, "request_id", 10) == 0) && val_len > 0) {
            request = val;
            request_len = val_len;
        }
    }
    if (request) {
        *out = nplus1_hash_bytes(request, request_len) | 1;
        return true;
    }
    return false;
}

bool search(const char* p, const char* end, uint64_t* out) {
    while (p < end) {
        const char* open = static_cast<const char*>(std::memchr(p, '/', size_t(end - p)));
        if (!open || open + 1 >= end) return false;
        if (open[1] != '*') {
            p = open + 1;
            continue;
        }
        const char* body = open + 2;
        const char* close = body;
        while (close + 1 < end && !(close[0] == '*' && close[1] == '/')) close++;
        if (close + 1 >= end) return false;
        if (tag_in_comment(body, close, out)) return true;
        p = close + 2;
    }
    return false;
}

}  // namespace

bool nplus1_find_tag(const char* text, size_t len, uint64_t* tag_hash) noexcept {
    if (!text || len < 4) return false;
    const char* end = text + len;
    if (len <= 768) return search(text, end, tag_hash);
    return search(end - 512, end, tag_hash) || search(text, text + 256, tag_hash);
}

}  // namespace pothos::core
