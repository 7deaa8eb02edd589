// nplus1/text.cpp -- see nplus1/text.h.
#include "core/nplus1/text.h"

namespace pothos::core {

namespace nplus1_text_detail {

POTHOS_COLD uint64_t load_word_bytewise(const char* p) noexcept {
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) {
        unsigned char c = static_cast<unsigned char>(p[i]);
        if (c == 0) break;
        x |= uint64_t(c) << (8 * i);
    }
    return x;
}

#if defined(__SSE2__)
POTHOS_COLD __m128i load_block_bytewise(const char* p) noexcept {
    alignas(16) unsigned char b[16] = {};
    for (int i = 0; i < 16; i++) {
        unsigned char c = static_cast<unsigned char>(p[i]);
        if (c == 0) break;
        b[i] = c;
    }
    return _mm_load_si128(reinterpret_cast<const __m128i*>(b));
}
#endif

}  // namespace nplus1_text_detail

uint64_t nplus1_text_hash_without_comments(const char* text, size_t len) noexcept {
    uint64_t h = 0x3c6ef372fe94f82bull;
    size_t kept = 0;
    bool quoted = false;
    bool pending_blank = false;  // blanks seen since the last kept byte
    auto keep = [&](unsigned char c) {
        if (pending_blank && kept > 0) {
            h = (h ^ ' ') * 1099511628211ull;
            kept++;
        }
        pending_blank = false;
        h = (h ^ c) * 1099511628211ull;
        kept++;
    };
    size_t i = 0;
    while (i < len) {
        char c = text[i];
        if (quoted) {
            keep((unsigned char) c);
            if (c == '\'') quoted = false;  // '' re-opens on the next byte
            i++;
            continue;
        }
        if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < len && !(text[j] == '*' && text[j + 1] == '/')) j++;
            i = j + 1 < len ? j + 2 : len;
            pending_blank = true;
            continue;
        }
        if (c == '-' && i + 1 < len && text[i + 1] == '-') {
            while (i < len && text[i] != '\n') i++;
            pending_blank = true;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            pending_blank = true;
            i++;
            continue;
        }
        if (c == '\'') quoted = true;
        keep((unsigned char) c);
        i++;
    }
    return nplus1_text_detail::finish(h, kept);
}

}  // namespace pothos::core
