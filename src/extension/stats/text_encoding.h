// text_encoding.h -- texts that backends of every database leave in shared
// memory (statement texts, slow-query plans) are kept in the encoding of the
// database they came from, with that encoding; they are converted to the
// reader's database encoding when shown, never on the per-statement path.
// C-style glue: may ereport.
#pragma once

#include "extension/common/pg.h"

namespace pothos::ext {

// s[0, len), in encoding `encoding`, as a palloc'd NUL-terminated string in
// this database's encoding. A character with no equivalent there, a byte
// that is not valid in `encoding` and a NUL byte each become '?', so the
// result is always valid text. Same encoding: a plain copy (a database's
// own texts are valid in it).
char* text_to_server(const char* s, int len, int encoding);

}  // namespace pothos::ext
