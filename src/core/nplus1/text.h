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

// How the scan reads the text: 8-byte words with the bit tricks above (any
// machine), or 16-byte blocks with two SSE2 compares (every x86-64). A
// reader gives a block's NUL and '/' masks (zero when there is none; the
// lowest set bit exact), the index of a mask's first byte, a block with
// only its first n bytes kept, and the block mixed into the hash.
struct WordReader {
    using Block = uint64_t;
    using Mask = uint64_t;
    static constexpr size_t kSize = 8;
    static Block load(const char* p) noexcept { return load_word(p); }
    static Mask nuls(Block x) noexcept { return zero_bytes(x); }
    static Mask slashes(Block x) noexcept { return zero_bytes(x ^ kSlashes); }
    static unsigned first(Mask m) noexcept { return unsigned(__builtin_ctzll(m)) / 8; }
    static Block keep(Block x, unsigned n) noexcept { return n == 0 ? 0 : x & (~0ull >> (64 - 8 * n)); }
    static uint64_t mix_in(uint64_t h, Block x) noexcept { return mix(h, x); }
};

#if defined(__SSE2__)
struct BlockReader {
    using Block = __m128i;
    using Mask = unsigned;
    static constexpr size_t kSize = 16;
    static Block load(const char* p) noexcept { return load_block(p); }
    static Mask nuls(Block v) noexcept { return unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()))); }
    static Mask slashes(Block v) noexcept { return unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')))); }
    static unsigned first(Mask m) noexcept { return unsigned(__builtin_ctz(m)); }
    static Block keep(Block v, unsigned n) noexcept {
        return _mm_and_si128(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(kKeepMask + 16 - n)));
    }
    static uint64_t mix_in(uint64_t h, Block v) noexcept { return mix_block(h, v); }
};
using TextReader = BlockReader;
#else
using TextReader = WordReader;
#endif

}  // namespace nplus1_text_detail

// Scans the NUL-terminated text s (little-endian machines) with Reader.
// With Hash false only length and slash are computed (hash is 0), which is
// faster on long texts: no multiply chain from block to block. The two
// readers give different hashes (one build uses one of them).
template <class Reader, bool Hash>
#if defined(__GNUC__)
__attribute__((no_sanitize_address))
#endif
inline Nplus1TextScan nplus1_scan_text_with(const char* s) noexcept {
    uint64_t h = 0x6a09e667f3bcc908ull;
    bool slash = false;
    const char* p = s;
    for (;;) {
        const typename Reader::Block b = Reader::load(p);
        const typename Reader::Mask z = Reader::nuls(b);
        const typename Reader::Mask sl = Reader::slashes(b);
        // One test for the common block: neither a NUL nor a '/'.
        if (POTHOS_LIKELY((z | sl) == 0)) {
            if (Hash) h = Reader::mix_in(h, b);
            p += Reader::kSize;
            continue;
        }
        if (z == 0) {  // a '/' in a block before the last
            slash = true;
            if (Hash) h = Reader::mix_in(h, b);
            p += Reader::kSize;
            continue;
        }
        // The last block: keep the bytes before the NUL.
        const unsigned n = Reader::first(z);
        if (sl != 0 && Reader::first(sl) < n) slash = true;
        const size_t len = size_t(p - s) + n;
        if (Hash) h = nplus1_text_detail::finish(Reader::mix_in(h, Reader::keep(b, n)), len);
        else h = 0;
        return Nplus1TextScan{h, len, slash};
    }
}

// Hash, length and '/' of the NUL-terminated text s.
inline Nplus1TextScan nplus1_scan_text(const char* s) noexcept {
    return nplus1_scan_text_with<nplus1_text_detail::TextReader, true>(s);
}

// Length and '/' of s only (hash 0).
inline Nplus1TextScan nplus1_scan_slash(const char* s) noexcept {
    return nplus1_scan_text_with<nplus1_text_detail::TextReader, false>(s);
}

// A hash of text[0..len) that leaves out /* ... */ and -- comments (outside
// quoted strings) and the blanks around them. Equal for two texts that
// differ only in their comments.
uint64_t nplus1_text_hash_without_comments(const char* text, size_t len) noexcept;

}  // namespace pothos::core
