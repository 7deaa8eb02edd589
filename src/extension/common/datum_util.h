// datum_util.h -- small helpers the monitoring SQL functions share to build
// result values. C-style: they may ereport.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace pothos::ext {

// A text[] from a NULL-terminated array of C strings.
inline Datum text_array_datum(char** items) {
    int n = 0;
    while (items[n]) n++;
    Datum* d = (Datum*) palloc(sizeof(Datum) * (n + 1));
    for (int i = 0; i < n; i++) d[i] = CStringGetTextDatum(items[i]);
    return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

}  // namespace pothos::ext
