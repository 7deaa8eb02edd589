// nplus1/text.h -- one pass over a statement's text for the N+1 detector:
// a hash of the text (which tells executions of one fingerprint with
// different literal constants apart) and whether it holds a '/' (without
// one there is no comment, so no request tag to look for).
//
// This runs for every statement, so it reads 8 bytes at a time and finds the
// terminating NUL and any '/' with the usual bit tricks, in a few cache lines
// of code. A word is read with memcpy from the text's position, so the hash
// does not depend on where the text lies in memory; a word that would cross
// into the next page is read byte by byte instead (the bytes after the NUL
// may not be mapped). The hash covers the bytes of the text and its length.
//
// Texts with a '/' may carry a comment whose content changes with every
// statement (a sqlcommenter span id): nplus1_text_hash_without_comments hashes
// them with their comments left out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/common/hot.h"

namespace pothos::core {

struct Nplus1TextScan {
    uint64_t hash;
    size_t length;
    bool slash;  // the text holds a '/'
};

namespace nplus1_text_detail {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;
constexpr uint64_t kSlashes = 0x2f2f2f2f2f2f2f2full;

// The lowest set 0x80 bit marks the first zero byte of x exactly (higher
// bits may be false positives).
inline uint64_t zero_bytes(uint64_t x) noexcept { return (x - kOnes) & ~x & kHighs; }

inline uint64_t mix(uint64_t h, uint64_t v) noexcept {
    h = (h ^ v) * 0x9fb21c651e98df25ull;
    return h ^ (h >> 29);
}

// The bytes at p up to its NUL (at most 8; zeros after), read one by one: for
// a word that would cross into the next page. Out of line, so that the scan
// loop stays a few code lines.
uint64_t load_word_bytewise(const char* p) noexcept;

// The 8 bytes at p; only the bytes up to the first NUL are defined when the
// word would cross a page boundary.
#if defined(__GNUC__)
__attribute__((no_sanitize_address))
#endif
inline uint64_t load_word(const char* p) noexcept {
    if (POTHOS_LIKELY((reinterpret_cast<uintptr_t>(p) & 4095) <= 4096 - 8)) {
        uint64_t x;
        std::memcpy(&x, p, 8);
        return x;
    }
    return load_word_bytewise(p);
}

}  // namespace nplus1_text_detail

// Scans the NUL-terminated text s (little-endian machines). With Hash
// false only length and slash are computed (hash is 0), which is faster on
// long texts: no multiply chain from word to word.
template <bool Hash>
#if defined(__GNUC__)
__attribute__((no_sanitize_address))
#endif
inline Nplus1TextScan nplus1_scan_text_impl(const char* s) noexcept {
    using namespace nplus1_text_detail;
    uint64_t h = 0x6a09e667f3bcc908ull;
    uint64_t slash = 0;
    const char* p = s;
    for (;;) {
        uint64_t x = load_word(p);
        uint64_t z = zero_bytes(x);
        uint64_t sl = zero_bytes(x ^ kSlashes);
        if (POTHOS_LIKELY(z == 0)) {
            slash |= sl;
            if (Hash) h = mix(h, x);
            p += 8;
            continue;
        }
        // The last word: keep the bytes before the NUL.
        unsigned n = unsigned(__builtin_ctzll(z)) / 8;
        if (sl != 0 && unsigned(__builtin_ctzll(sl)) / 8 < n) slash = 1;
        size_t len = size_t(p - s) + n;
        if (Hash) {
            uint64_t keep = n == 0 ? 0 : (~0ull >> (64 - 8 * n));
            h = mix(mix(h, x & keep), len);
        } else {
            h = 0;
        }
        return Nplus1TextScan{h, len, slash != 0};
    }
}

// Hash, length and '/' of the NUL-terminated text s.
inline Nplus1TextScan nplus1_scan_text(const char* s) noexcept { return nplus1_scan_text_impl<true>(s); }

// Length and '/' of s only (hash 0).
inline Nplus1TextScan nplus1_scan_slash(const char* s) noexcept { return nplus1_scan_text_impl<false>(s); }

// A hash of text[0..len) that leaves out /* ... */ and -- comments (outside
// quoted strings) and the blanks around them. Equal for two texts that
// differ only in their comments.
uint64_t nplus1_text_hash_without_comments(const char* text, size_t len) noexcept;

}  // namespace pothos::core
