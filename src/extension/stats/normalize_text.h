// normalize_text.h -- the normalized text of a parsed statement: constants
// replaced by $n, using the constant locations the core query jumbler found
// and the server's own lexer to measure them.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "utils/queryjumble.h"
}

namespace pothos::ext {

// Writes the normalized text of the statement [location, location + length)
// of source into a palloc'd buffer of at most max_bytes (cut at a character
// boundary) and returns it; *out_len gets its length. May ereport (lexer,
// palloc): call with no C++ object alive.
char* normalized_text(const char* source, int location, int length, const JumbleState* jstate,
                      int max_bytes, int* out_len);

}  // namespace pothos::ext
