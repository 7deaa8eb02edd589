// text_encoding.cpp -- see text_encoding.h.
#include "extension/common/pg.h"

extern "C" {
#include "catalog/namespace.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
}

#include "extension/stats/text_encoding.h"

namespace pothos::ext {

namespace {

// Bytes of the character at s (at most len, at least 1).
int char_len(const char* s, int len, int encoding) {
    int n = pg_encoding_mblen_bounded(encoding, s);
    return n < 1 ? 1 : (n > len ? len : n);
}

// s[0, len) checked as `encoding`: valid characters copied, '?' for each
// byte that does not start one.
void append_valid(StringInfo out, const char* s, int len, int encoding) {
    while (len > 0) {
        int ok = pg_encoding_verifymbstr(encoding, s, len);
        appendBinaryStringInfo(out, s, ok);
        s += ok;
        len -= ok;
        if (len > 0) {
            appendStringInfoChar(out, '?');
            s++;
            len--;
        }
    }
}

// No conversion between the two encodings: ASCII kept, '?' per character.
void append_ascii(StringInfo out, const char* s, int len, int encoding) {
    while (len > 0) {
        unsigned char c = (unsigned char) *s;
        if (c != 0 && c < 0x80) {
            appendStringInfoChar(out, (char) c);
            s++;
            len--;
            continue;
        }
        appendStringInfoChar(out, '?');
        int n = c == 0 ? 1 : char_len(s, len, encoding);
        s += n;
        len -= n;
    }
}

// The conversion proc from `encoding` to `db` run without errors: where it
// stops (a character with no equivalent, or invalid input), '?' stands for
// that character and it goes on after it.
void append_converted(StringInfo out, Oid proc, const char* s, int len, int encoding, int db) {
    Size room = (Size) len * MAX_CONVERSION_GROWTH + 1;
    unsigned char* buf = (unsigned char*) palloc_extended(room, MCXT_ALLOC_HUGE);
    while (len > 0) {
        int done = pg_do_encoding_conversion_buf(proc, encoding, db, (unsigned char*) s, len, buf, (int) room, true);
        appendStringInfoString(out, (const char*) buf);
        s += done;
        len -= done;
        if (len > 0) {
            appendStringInfoChar(out, '?');
            int n = *s == '\0' ? 1 : char_len(s, len, encoding);
            s += n;
            len -= n;
        }
    }
    pfree(buf);
}

}  // namespace

char* text_to_server(const char* s, int len, int encoding) {
    int db = GetDatabaseEncoding();
    if (len <= 0) return pstrdup("");
    if (encoding == db) return pnstrdup(s, len);
    StringInfoData out;
    initStringInfo(&out);
    if (!PG_VALID_BE_ENCODING(encoding)) {
        append_ascii(&out, s, len, PG_SQL_ASCII);
    } else if (db == PG_SQL_ASCII) {
        // Such a database takes any bytes, unconverted.
        append_valid(&out, s, len, encoding);
    } else if (encoding == PG_SQL_ASCII) {
        // Bytes of no known encoding: kept where they are valid here.
        append_valid(&out, s, len, db);
    } else {
        Oid proc = FindDefaultConversionProc(encoding, db);
        if (OidIsValid(proc))
            append_converted(&out, proc, s, len, encoding, db);
        else
            append_ascii(&out, s, len, encoding);
    }
    return out.data;
}

}  // namespace pothos::ext
