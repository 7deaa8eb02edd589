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
                           int first_param, char* out, size_t cap) noexcept;

// Where the statement's text is once leading and trailing request-tag
// comments are cut away: sqlcommenter comments (/*key='value',...*/, e.g. a
// traceparent) differ on every request and would make one arbitrary request
// id the text of a statement shared by all. Other comments are kept. Sets
// *start and *out_len to the part of text to keep. No allocation.
void trim_tag_comments(const char* text, size_t len, size_t* start, size_t* out_len) noexcept;

}  // namespace pothos::core
