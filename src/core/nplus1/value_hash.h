// nplus1/value_hash.h -- the hash of one value as N+1 provenance compares
// them: a lookup's key parameter against the values its parent query
// returned (nplus1/provenance.h).
//
// Equal values hash equal across the types a key and the column it came
// from may have: int2, int4, int8, oid and integral numerics (an integer
// value), text, varchar and bpchar without its trailing blanks (the bytes of
// a string), uuid (its 16 bytes). Each kind mixes in its own constant, so an
// integer and the text of its digits differ. The hash is 32 bits (a key
// matched against a few hundred values of a parent execution: a false match
// has odds of about 1 in 10^7) and never 0, which means "no key". Only
// hashes are kept, never values.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pothos::core {

namespace nplus1_value_detail {

inline uint32_t fold(uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    uint32_t k = uint32_t(h) ^ uint32_t(h >> 32);
    return k ? k : 1;
}

constexpr uint64_t kInt = 0x696e7465676572ull;  // "integer"
constexpr uint64_t kText = 0x74657874ull;       // "text"
constexpr uint64_t kUuid = 0x75756964ull;       // "uuid"
constexpr uint64_t kDecimal = 0x646563696d616cull;  // "decimal" (a numeric that is not an integer)

}  // namespace nplus1_value_detail

// An integer value (int2, int4, int8, oid, an integral numeric). It is
// hashed for every keyed lookup and every row of a sampled parent, so one
// multiply-xorshift-multiply, not a full finisher (the product by an odd
// constant is a bijection; the high half of the second product depends on
// every bit of the value). Never 0 (0 means no key).
inline uint32_t nplus1_key_int(int64_t v) noexcept {
    uint64_t h = uint64_t(v) * 0x9e3779b97f4a7c15ull + nplus1_value_detail::kInt;
    h ^= h >> 32;
    h *= 0xff51afd7ed558ccdull;
    const uint32_t k = uint32_t(h >> 32);
    return k ? k : 1;
}

// A string's bytes (text, varchar; bpchar with its trailing blanks removed
// by the caller).
uint32_t nplus1_key_text(const char* s, size_t len) noexcept;

// A uuid's 16 bytes.
uint32_t nplus1_key_uuid(const unsigned char* bytes) noexcept;

// A numeric, from the bytes of its varlena after the length header (the
// server's storage format): an integral value in int64 range hashes as
// nplus1_key_int of it; another finite value by its sign, weight and
// base-10000 digits (so 1.50 and 1.5 hash equal); 0 for NaN, infinities and
// malformed input.
uint32_t nplus1_key_numeric(const unsigned char* data, size_t len) noexcept;

// The integer value of a numeric in that format, if it is one and fits.
bool nplus1_numeric_int64(const unsigned char* data, size_t len, int64_t* out) noexcept;

}  // namespace pothos::core
