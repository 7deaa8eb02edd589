// normalize_text.cpp -- see normalize_text.h.
#include "extension/common/pg.h"

extern "C" {
#include "common/keywords.h"
#include "mb/pg_wchar.h"
#include "parser/scanner.h"
}

#include <algorithm>

#include "core/stats/normalize.h"
#include "extension/stats/normalize_text.h"

namespace pothos::ext {

using core::ConstLocation;

namespace {

// Fills in the byte length of each constant (sorted by location, relative to
// text) by lexing text with the server's scanner: the length of the token at
// the location, or of the two tokens of a negative number.
void measure_constants(const char* text, ConstLocation* locs, int n) {
    core_yy_extra_type extra;
    core_yyscan_t scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
    extra.escape_string_warning = false;
    int last = -1;
    for (int i = 0; i < n; i++) {
        int loc = locs[i].location;
        locs[i].length = -1;
        if (loc < 0 || loc == last) continue;  // unknown or duplicate
        last = loc;
        for (;;) {
            core_YYSTYPE val;
            YYLTYPE pos;
            int tok = core_yylex(&val, &pos, scanner);
            if (tok == 0) goto done;
            if (pos < loc) continue;
            if (pos == loc && extra.scanbuf[loc] == '-') {
                tok = core_yylex(&val, &pos, scanner);  // the number after the sign
                if (tok == 0) goto done;
            }
            // The lexer ends the current token with a NUL in its buffer.
            if (pos >= loc) locs[i].length = (int) strlen(extra.scanbuf + loc);
            break;
        }
    }
done:
    scanner_finish(scanner);
}

}  // namespace

char* normalized_text(const char* source, int location, int length, const JumbleState* jstate,
                      int max_bytes, int* out_len) {
    int loc = location, len = length;
    const char* stmt = CleanQuerytext(source, &loc, &len);
    char* text = pnstrdup(stmt, len);
    int n = jstate ? jstate->clocations_count : 0;
    ConstLocation* locs = (ConstLocation*) palloc(sizeof(ConstLocation) * (n > 0 ? n : 1));
    int k = 0;
    for (int i = 0; i < n; i++) {
        int rel = jstate->clocations[i].location - loc;
        if (rel < 0 || rel >= len) continue;
        locs[k].location = rel;
        locs[k].length = -1;
        k++;
    }
    std::sort(locs, locs + k, [](const ConstLocation& a, const ConstLocation& b) {
        return a.location < b.location;
    });
    measure_constants(text, locs, k);
    char* out = (char*) palloc(max_bytes + 1);
    size_t w = core::normalize_constants(text, (size_t) len, locs, (size_t) k,
                                         (jstate ? jstate->highest_extern_param_id : 0) + 1, out,
                                         (size_t) max_bytes);
    size_t keep_from = 0, keep_len = 0;
    core::trim_tag_comments(out, w, &keep_from, &keep_len);
    if (keep_from > 0) memmove(out, out + keep_from, keep_len);
    int clipped = pg_mbcliplen(out, (int) keep_len, (int) keep_len);
    out[clipped] = '\0';
    pfree(locs);
    pfree(text);
    *out_len = clipped;
    return out;
}

}  // namespace pothos::ext
