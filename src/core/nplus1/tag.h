// nplus1/tag.h -- the request tag of a statement, from a sqlcommenter comment
// (/*key='value',...*/): the trace id of traceparent='00-<trace>-<span>-<flags>'
// (so all spans of one trace are one unit of work), else request_id='...'.
// Only the first 256 and the last 512 bytes are searched (sqlcommenter puts
// its comment at the end), so the cost does not grow with the statement.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pothos::core {

// 64-bit FNV-1a, continuing from h.
uint64_t nplus1_hash_bytes(const void* data, size_t len, uint64_t h = 14695981039346656037ull) noexcept;

// Finds the tag in text[0..len); on success stores a non-zero hash of it.
bool nplus1_find_tag(const char* text, size_t len, uint64_t* tag_hash) noexcept;

}  // namespace pothos::core
