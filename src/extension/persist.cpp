// persist.cpp -- see persist.h. File layout (native byte order; a file from
// another build or version is ignored with a LOG message):
//   FileHeader, then per entry: StatKey, StatCounters, uint32 text length, text.
#include "extension/pg.h"

extern "C" {
#include "pgstat.h"
#include "storage/fd.h"
#include "utils/timestamp.h"
}

#include "extension/persist.h"

namespace pothos::ext {

using core::StatCounters;
using core::StatEntry;
using core::StatKey;
using core::StatTable;

namespace {

const char kFile[] = PGSTAT_STAT_PERMANENT_DIRECTORY "/pothos_perf.stat";
const char kTmpFile[] = PGSTAT_STAT_PERMANENT_DIRECTORY "/pothos_perf.stat.tmp";
constexpr uint32 kMagic = 0x506f5046;  // "PoPF"
// 2: StatCounters with the per-execution fields first.
constexpr uint32 kFormat = 2;

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
    bool ok = fwrite(&fh, sizeof fh, 1, f) == 1;
    for (uint32 s = 0; ok && s < table.capacity(); s++) {
        if (!table.in_use((int32) s)) continue;
        const StatEntry* e = table.entry((int32) s);
        ok = fwrite(&e->key, sizeof e->key, 1, f) == 1 &&
             fwrite(&e->counters, sizeof e->counters, 1, f) == 1 &&
             fwrite(&e->text_len, sizeof e->text_len, 1, f) == 1 &&
             (e->text_len == 0 || fwrite(e->text(), e->text_len, 1, f) == 1);
    }
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
    FileHeader fh;
    char* text = (char*) palloc(1024 * 1024 + 1);
    uint32 loaded = 0;
    bool ok = fread(&fh, sizeof fh, 1, f) == 1;
    if (ok && (fh.magic != kMagic || fh.format != kFormat || fh.counters_size != sizeof(StatCounters) ||
               fh.key_size != sizeof(StatKey))) {
        ereport(LOG, (errmsg("pothos_perf: ignoring \"%s\" written by another version", kFile)));
        ok = false;
        fh.count = 0;
    }
    for (uint32 i = 0; ok && i < fh.count; i++) {
        StatKey key;
        StatCounters counters;
        uint32 len = 0;
        ok = fread(&key, sizeof key, 1, f) == 1 && fread(&counters, sizeof counters, 1, f) == 1 &&
             fread(&len, sizeof len, 1, f) == 1 && len <= 1024 * 1024 &&
             (len == 0 || fread(text, len, 1, f) == 1);
        if (!ok) {
            ereport(LOG, (errmsg("pothos_perf: \"%s\" is truncated or corrupt; kept %u entries",
                                 kFile, loaded)));
            break;
        }
        if (loaded >= table.capacity()) continue;  // max_statements was lowered
        int32 slot = table.insert(key, text, len, counters.first_seen);
        StatEntry* e = table.entry(slot);
        e->counters = counters;
        e->usage = 1;
        loaded++;
    }
    if (ok) {
        table.header().stats_reset = fh.stats_reset;
        table.header().dealloc = fh.dealloc;
    }
    pfree(text);
    FreeFile(f);
    // Remove the file so that a crash cannot bring back stale numbers.
    unlink(kFile);
}

}  // namespace pothos::ext
