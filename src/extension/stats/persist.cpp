// persist.cpp -- see persist.h. File layout (native byte order):
//   FileHeader, then per entry: StatKey, StatCounters, int32 encoding of the
//   text, uint32 text length, text; then the CRC-32C of all that.
// A file that fails a check -- another version or build, truncated, a
// checksum mismatch, an entry no run could have written (counters that do
// not hold together, a text not valid in its encoding, a key twice) -- is
// not used at all: the statistics start empty, with a WARNING saying why.
#include "extension/common/pg.h"

extern "C" {
#include "mb/pg_wchar.h"
#include "pgstat.h"
#include "port/pg_crc32c.h"
#include "storage/fd.h"
#include "utils/timestamp.h"
}

#include "extension/stats/persist.h"

namespace pothos::ext {

using core::StatCounters;
using core::StatEntry;
using core::StatKey;
using core::StatTable;

namespace {

const char kFile[] = PGSTAT_STAT_PERMANENT_DIRECTORY "/pothos_perf.stat";
const char kTmpFile[] = PGSTAT_STAT_PERMANENT_DIRECTORY "/pothos_perf.stat.tmp";
constexpr uint32 kMagic = 0x506f5046;  // "PoPF"
// 2: StatCounters with the per-execution fields first. 3: the encoding of
// each text, the checksum.
constexpr uint32 kFormat = 3;
constexpr uint32 kMaxText = 1024 * 1024;

struct FileHeader {
    uint32 magic;
    uint32 format;
    uint32 counters_size;
    uint32 key_size;
    uint32 count;
    uint32 pad;
    int64 stats_reset;
    uint64 dealloc;
};

// A file read or written with the running CRC-32C of its bytes.
struct CrcFile {
    FILE* f;
    pg_crc32c crc;
};

bool put(CrcFile* cf, const void* p, size_t n) {
    COMP_CRC32C(cf->crc, p, n);
    return n == 0 || fwrite(p, n, 1, cf->f) == 1;
}

bool get(CrcFile* cf, void* p, size_t n) {
    if (n != 0 && fread(p, n, 1, cf->f) != 1) return false;
    COMP_CRC32C(cf->crc, p, n);
    return true;
}

// Reads the entries of f into table (text: a buffer of kMaxText bytes).
// Returns NULL if the whole file is sound, else why not (the table may
// then hold part of it).
const char* load_entries(FILE* f, StatTable& table, char* text) {
    CrcFile cf = {f, 0};
    INIT_CRC32C(cf.crc);
    FileHeader fh;
    if (!get(&cf, &fh, sizeof fh)) return "it is truncated";
    if (fh.magic != kMagic || fh.format != kFormat || fh.counters_size != sizeof(StatCounters) ||
        fh.key_size != sizeof(StatKey))
        return psprintf("it was written by another version of pothos_perf (format %u)", fh.format);
    if (!IS_VALID_TIMESTAMP(fh.stats_reset)) return "its reset time is out of range";
    uint32 loaded = 0;
    for (uint32 i = 0; i < fh.count; i++) {
        StatKey key;
        StatCounters counters;
        int32 encoding;
        uint32 len;
        if (!get(&cf, &key, sizeof key) || !get(&cf, &counters, sizeof counters) ||
            !get(&cf, &encoding, sizeof encoding) || !get(&cf, &len, sizeof len) || len > kMaxText ||
            !get(&cf, text, len))
            return psprintf("it is truncated or corrupt at entry %u of %u", i + 1, fh.count);
        if (key.toplevel > 1 || key.pad != 0 || !core::counters_consistent(counters) ||
            !IS_VALID_TIMESTAMP(counters.first_seen) || !IS_VALID_TIMESTAMP(counters.last_seen))
            return psprintf("entry %u has impossible counters", i + 1);
        if (!PG_VALID_BE_ENCODING(encoding) || pg_encoding_verifymbstr(encoding, text, (int) len) != (int) len)
            return psprintf("the text of entry %u is not valid in its encoding", i + 1);
        if (loaded >= table.capacity()) continue;  // max_statements was lowered
        if (table.find(key) >= 0) return psprintf("entry %u repeats a statement", i + 1);
        // max_query_text may have been lowered: cut at a character boundary.
        int keep = pg_encoding_mbcliplen(encoding, text, (int) len, (int) table.header().text_cap);
        int32 slot = table.insert(key, text, (size_t) keep, encoding, counters.first_seen);
        StatEntry* e = table.entry(slot);
        e->counters = counters;
        e->usage = 1;
        loaded++;
    }
    pg_crc32c stored;
    if (fread(&stored, sizeof stored, 1, f) != 1) return "it is truncated (no checksum)";
    FIN_CRC32C(cf.crc);
    if (!EQ_CRC32C(stored, cf.crc)) return "checksum mismatch";
    if (fgetc(f) != EOF) return "it has bytes after its checksum";
    table.header().stats_reset = fh.stats_reset;
    table.header().dealloc = fh.dealloc;
    return NULL;
}

}  // namespace

void persist_save(StatTable& table) {
    FILE* f = AllocateFile(kTmpFile, PG_BINARY_W);
    if (f == NULL) {
        ereport(LOG, (errcode_for_file_access(),
                      errmsg("pothos_perf: could not write \"%s\": %m", kTmpFile)));
        return;
    }
    const core::StatTableHeader& h = table.header();
    FileHeader fh = {kMagic, kFormat, (uint32) sizeof(StatCounters), (uint32) sizeof(StatKey),
                     h.count, 0, h.stats_reset, h.dealloc};
    CrcFile cf = {f, 0};
    INIT_CRC32C(cf.crc);
    bool ok = put(&cf, &fh, sizeof fh);
    for (uint32 s = 0; ok && s < table.capacity(); s++) {
        if (!table.in_use((int32) s)) continue;
        const StatEntry* e = table.entry((int32) s);
        ok = put(&cf, &e->key, sizeof e->key) && put(&cf, &e->counters, sizeof e->counters) &&
             put(&cf, &e->encoding, sizeof e->encoding) && put(&cf, &e->text_len, sizeof e->text_len) &&
             put(&cf, e->text(), e->text_len);
    }
    FIN_CRC32C(cf.crc);
    ok = ok && fwrite(&cf.crc, sizeof cf.crc, 1, f) == 1;
    if (FreeFile(f) != 0) ok = false;
    if (!ok) {
        ereport(LOG, (errcode_for_file_access(),
                      errmsg("pothos_perf: could not write \"%s\": %m", kTmpFile)));
        unlink(kTmpFile);
        return;
    }
    (void) durable_rename(kTmpFile, kFile, LOG);
}

void persist_load(StatTable& table) {
    FILE* f = AllocateFile(kFile, PG_BINARY_R);
    if (f == NULL) {
        if (errno != ENOENT)
            ereport(LOG, (errcode_for_file_access(),
                          errmsg("pothos_perf: could not read \"%s\": %m", kFile)));
        return;
    }
    char* text = (char*) palloc(kMaxText);
    const char* why = load_entries(f, table, text);
    pfree(text);
    FreeFile(f);
    if (why != NULL) {
        table.reset(0, 0, 0, GetCurrentTimestamp());
        ereport(WARNING, (errcode(ERRCODE_DATA_CORRUPTED),
                          errmsg("pothos_perf: ignoring the statistics file \"%s\": %s; statement statistics start empty",
                                 kFile, why)));
    }
    // Remove the file so that a crash cannot bring back stale numbers.
    unlink(kFile);
}

}  // namespace pothos::ext
