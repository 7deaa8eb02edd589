// normalize.h -- replace the constants of a statement's text by $n
// placeholders, given where the constants are (found by the server's parser
// and lexer in the extension). No allocation: writes into the caller's buffer.
#pragma once

#include <cstddef>

namespace pothos::core {

struct ConstLocation {
    int location;  // byte offset in the text
    int length;    // bytes; < 0 when unknown (that constant is left as it is)
};

// Copies text[0, len) to out, replacing each constant by "$n", n counting up
// from first_param in order of location. locs must be sorted by location;
// duplicates and overlapping locations are skipped. Writes at most cap bytes
// (the output is cut there; the caller clips at a character boundary) and
// returns the number written.
size_t normalize_constants(const char* text, size_t len, const ConstLocation* locs, size_t nlocs,
                           int first_param, char* out, size_t cap);

}  // namespace pothos::core
