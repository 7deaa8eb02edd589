// nplus1/text.h -- one pass over a statement's text for the N+1 detector:
// a hash of the text (which tells executions of one fingerprint with
// different literal constants apart) and whether it holds a '/' (without
// one there is no comment, so no request tag to look for).
//
// This runs for every statement, so it reads 16 bytes at a time (8 without
// SSE2) and finds the terminating NUL and any '/' in a few cache lines of
// code. A block is read from the text's position, so the hash does not
// depend on where the text lies in memory; a block that would cross into the
// next page is read byte by byte instead (the bytes after the NUL may not be
// mapped). The hash covers the bytes of the text and its length.
//
// Texts with a '/' may carry a comment whose content changes with every
// statement (a sqlcommenter span id): nplus1_text_hash_without_comments hashes
// them with their comments left out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// One word into the hash: xor, multiply by an odd constant, rotate. Each
// step is a bijection of h for a given word, so two texts that differ in one
// word always hash apart; the rotation carries the product's high bits,
// which depend on all of the word, into the next step's low ones.
inline uint64_t mix(uint64_t h, uint64_t v) noexcept {
    h = (h ^ v) * 0x9fb21c651e98df25ull;
    return (h << 29) | (h >> 35);
}

// The last step: length in, and the high half folded into the low one.
inline uint64_t finish(uint64_t h, uint64_t len) noexcept {
    h = (h ^ len) * 0x9fb21c651e98df25ull;
    return h ^ (h >> 32);
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

#if defined(__SSE2__)
// 16 bytes 0xff then 16 zeros: the 16 bytes from kKeepMask + 16 - n keep the
// first n bytes of a block.
alignas(32) inline constexpr unsigned char kKeepMask[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// The bytes at p up to its NUL (at most 16; zeros after), read one by one:
// for a block that would cross into the next page.
__m128i load_block_bytewise(const char* p) noexcept;

// The 16 bytes at p; only the bytes up to the first NUL are defined when the
// block would cross a page boundary.
#if defined(__GNUC__)
__attribute__((no_sanitize_address))
#endif
inline __m128i load_block(const char* p) noexcept {
    if (POTHOS_LIKELY((reinterpret_cast<uintptr_t>(p) & 4095) <= 4096 - 16))
        return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return load_block_bytewise(p);
}

// A block into the hash: its two words, one after the other.
inline uint64_t mix_block(uint64_t h, __m128i v) noexcept {
    const uint64_t lo = uint64_t(_mm_cvtsi128_si64(v));
    const uint64_t hi = uint64_t(_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)));
    return mix(mix(h, lo), hi);
}
#endif

}  // namespace nplus1_text_detail

// Scans the NUL-terminated text s (little-endian machines). With Hash
// false only length and slash are computed (hash is 0), which is faster on
// long texts: no multiply chain from word to word.
//
// With SSE2 (every x86-64) 16 bytes are tested for a NUL and a '/' with two
// compares; otherwise 8 at a time with the bit tricks above. The two give
// different hashes (one build uses one of them).
#if defined(__SSE2__)
template <bool Hash>
#if defined(__GNUC__)
__attribute__((no_sanitize_address))
#endif
inline Nplus1TextScan nplus1_scan_text_impl(const char* s) noexcept {
    using namespace nplus1_text_detail;
    const __m128i zeros = _mm_setzero_si128();
    const __m128i slashes = _mm_set1_epi8('/');
    uint64_t h = 0x6a09e667f3bcc908ull;
    bool slash = false;
    const char* p = s;
    for (;;) {
        __m128i v = load_block(p);
        unsigned z = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zeros)));
        unsigned sl = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(v, slashes)));
        // One test for the common block: neither a NUL nor a '/'.
        if (POTHOS_LIKELY((z | sl) == 0)) {
            if (Hash) h = mix_block(h, v);
            p += 16;
            continue;
        }
        if (z == 0) {  // a '/' in a block before the last
            slash = true;
            if (Hash) h = mix_block(h, v);
            p += 16;
            continue;
        }
        // The last block: keep the bytes before the NUL.
        unsigned n = unsigned(__builtin_ctz(z));
        if (sl & ((1u << n) - 1)) slash = true;
        size_t len = size_t(p - s) + n;
        if (Hash) {
            __m128i keep = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kKeepMask + 16 - n));
            h = finish(mix_block(h, _mm_and_si128(v, keep)), len);
        } else {
            h = 0;
        }
        return Nplus1TextScan{h, len, slash};
    }
}
#else
template <bool Hash>
#if defined(__GNUC__)
__attribute__((no_sanitize_address))
#endif
inline Nplus1TextScan nplus1_scan_text_impl(const char* s) noexcept {
    using namespace nplus1_text_detail;
    uint64_t h = 0x6a09e667f3bcc908ull;
    bool slash = false;
    const char* p = s;
    for (;;) {
        uint64_t x = load_word(p);
        uint64_t z = zero_bytes(x);
        uint64_t sl = zero_bytes(x ^ kSlashes);
        // One test for the common word: neither a NUL nor a '/'.
        if (POTHOS_LIKELY((z | sl) == 0)) {
            if (Hash) h = mix(h, x);
            p += 8;
            continue;
        }
        if (z == 0) {  // a '/' in a word before the last
            slash = true;
            if (Hash) h = mix(h, x);
            p += 8;
            continue;
        }
        // The last word: keep the bytes before the NUL.
        unsigned n = unsigned(__builtin_ctzll(z)) / 8;
        if (sl != 0 && unsigned(__builtin_ctzll(sl)) / 8 < n) slash = true;
        size_t len = size_t(p - s) + n;
        if (Hash) {
            uint64_t keep = n == 0 ? 0 : (~0ull >> (64 - 8 * n));
            h = finish(mix(h, x & keep), len);
        } else {
            h = 0;
        }
        return Nplus1TextScan{h, len, slash};
    }
}
#endif

// Hash, length and '/' of the NUL-terminated text s.
inline Nplus1TextScan nplus1_scan_text(const char* s) noexcept { return nplus1_scan_text_impl<true>(s); }

// Length and '/' of s only (hash 0).
inline Nplus1TextScan nplus1_scan_slash(const char* s) noexcept { return nplus1_scan_text_impl<false>(s); }

// A hash of text[0..len) that leaves out /* ... */ and -- comments (outside
// quoted strings) and the blanks around them. Equal for two texts that
// differ only in their comments.
uint64_t nplus1_text_hash_without_comments(const char* text, size_t len) noexcept;

}  // namespace pothos::core
