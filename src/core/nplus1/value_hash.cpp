// nplus1/value_hash.cpp -- see nplus1/value_hash.h.
#include "core/nplus1/value_hash.h"

#include <cstring>

namespace pothos::core {

using nplus1_value_detail::fold;

namespace {

uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 31);
}

uint64_t bytes_hash(uint64_t h, const unsigned char* p, size_t len) {
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = mix(h, w);
    }
    uint64_t tail = 0;
    for (size_t k = 0; i + k < len; k++) tail |= uint64_t(p[i + k]) << (8 * k);
    return mix(mix(h, tail), len);
}

// A numeric in the server's storage format: a 16-bit header word, then (long
// form only) a 16-bit weight, then base-10000 digits of 16 bits, leading and
// trailing zero digits stripped.
constexpr uint16_t kSignMask = 0xC000;
constexpr uint16_t kNeg = 0x4000;
constexpr uint16_t kShort = 0x8000;
constexpr uint16_t kSpecial = 0xC000;
constexpr uint16_t kShortSign = 0x2000;
constexpr uint16_t kShortWeightSign = 0x0040;
constexpr uint16_t kShortWeight = 0x003F;
constexpr int kBase = 10000;

struct Numeric {
    bool negative;
    int weight;  // of the first digit: value = sum digit[i] * kBase^(weight - i)
    const unsigned char* digits;
    size_t ndigits;
    int digit(size_t i) const {
        int16_t d;
        std::memcpy(&d, digits + 2 * i, 2);
        return d;
    }
};

bool decode(const unsigned char* p, size_t len, Numeric* n) {
    if (len < 2) return false;
    uint16_t header;
    std::memcpy(&header, p, 2);
    size_t head;
    if ((header & kSignMask) == kShort) {
        n->negative = (header & kShortSign) != 0;
        n->weight = (header & kShortWeightSign) ? int(~int(kShortWeight) | int(header & kShortWeight))
                                                : int(header & kShortWeight);
        head = 2;
    } else if ((header & kSignMask) == kSpecial) {
        return false;  // NaN, +-Infinity
    } else {
        if (len < 4) return false;
        int16_t weight;
        std::memcpy(&weight, p + 2, 2);
        n->negative = (header & kSignMask) == kNeg;
        n->weight = weight;
        head = 4;
    }
    if ((len - head) % 2 != 0) return false;
    n->digits = p + head;
    n->ndigits = (len - head) / 2;
    for (size_t i = 0; i < n->ndigits; i++)
        if (n->digit(i) < 0 || n->digit(i) >= kBase) return false;
    return true;
}

// The integer value of n, if integral and within int64.
bool integer_of(const Numeric& n, int64_t* out) {
    if (n.ndigits == 0) {
        *out = 0;
        return true;
    }
    // Digits below the units position must all be zero.
    for (size_t i = 0; i < n.ndigits; i++)
        if (long(n.weight) - long(i) < 0 && n.digit(i) != 0) return false;
    if (n.weight > 4) return false;  // 10000^5 > INT64_MAX
    unsigned __int128 v = 0;
    for (int pos = n.weight, i = 0; pos >= 0; pos--, i++) {
        int d = size_t(i) < n.ndigits ? n.digit(size_t(i)) : 0;
        v = v * kBase + unsigned(d);
    }
    const unsigned __int128 limit = n.negative ? (unsigned __int128) INT64_MAX + 1 : (unsigned __int128) INT64_MAX;
    if (v > limit) return false;
    *out = n.negative ? int64_t(-(__int128) v) : int64_t(v);
    return true;
}

}  // namespace

uint32_t nplus1_key_text(const char* s, size_t len) noexcept {
    return fold(bytes_hash(nplus1_value_detail::kText, reinterpret_cast<const unsigned char*>(s), len));
}

uint32_t nplus1_key_uuid(const unsigned char* bytes) noexcept {
    return fold(bytes_hash(nplus1_value_detail::kUuid, bytes, 16));
}

bool nplus1_numeric_int64(const unsigned char* data, size_t len, int64_t* out) noexcept {
    Numeric n;
    return decode(data, len, &n) && integer_of(n, out);
}

uint32_t nplus1_key_numeric(const unsigned char* data, size_t len) noexcept {
    Numeric n;
    if (!decode(data, len, &n)) return 0;
    int64_t v;
    if (integer_of(n, &v)) return nplus1_key_int(v);
    // Not an integer (or beyond int64): sign, weight and significant digits.
    size_t nd = n.ndigits;
    while (nd > 0 && n.digit(nd - 1) == 0) nd--;
    uint64_t h = mix(mix(nplus1_value_detail::kDecimal, n.negative), uint64_t(int64_t(n.weight)));
    for (size_t i = 0; i < nd; i++) h = mix(h, uint64_t(n.digit(i)));
    return fold(h);
}

}  // namespace pothos::core
