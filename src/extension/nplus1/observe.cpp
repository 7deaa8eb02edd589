// nplus1/observe.cpp -- see nplus1/observe.h. C-style glue: no object with a
// destructor, no C++ exception (core functions used here are noexcept).
#include "extension/common/pg.h"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/backend_status.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

#include "core/nplus1/detector.h"
#include "core/common/hot.h"
#include "core/nplus1/tag.h"
#include "core/nplus1/text.h"
#include "extension/nplus1/guc.h"
#include "extension/nplus1/hot.h"
#include "extension/nplus1/observe.h"
#include "extension/nplus1/provenance.h"
#include "extension/nplus1/shape.h"
#include "extension/nplus1/shmem.h"

// application_name (utils/guc.h is not needed for one variable).
extern "C" PGDLLIMPORT char* application_name;

namespace pothos::ext {

using namespace pothos::core;

namespace {

// The backend's current unit of work, its pending analysis and the client
// cache are in g_nplus1_hot (nplus1/hot.h).

// Executions per fingerprint in the current unit (direct-mapped; a slot is
// half a cache line, never two). A slot's tag is its query id xor the salt
// of the unit that filled it: one compare finds both a slot of another
// fingerprint and one left over from an earlier unit.
constexpr int kRepeatSlots = 64;
struct alignas(32) Repeat {
    uint64 tag;
    int32 count;
    int32 same;
    uint64 last_param;
};
static_assert(sizeof(Repeat) == 32, "a repeat slot is half a line");
alignas(64) Repeat g_repeats[kRepeatSlots];

// Scratch for analysis, allocated once per backend on first use: the
// events read, the detector's scratch, the parents' hashed values, findings.
constexpr uint32 kMaxFindingsPerRun = 256;
constexpr uint32 kMaxProvEntries = 1u << 16;
Nplus1Event* g_buf = nullptr;
void* g_scratch = nullptr;
Nplus1ProvEntry* g_prov = nullptr;
Nplus1Finding* g_out = nullptr;
uint32 g_buf_cap = 0;

// Client identity, minus application_name (hashed when it changes).
uint64 g_client_base = 0;
bool g_client_base_ready = false;
uint64 g_app_hash = 0;

// How far the backend's provenance area had come when the pending analysis
// was asked for (it runs before the area comes half round), and where the
// backend's unit of that group had started.
uint64 g_pending_records = 0;
uint64 g_pending_values = 0;
int64 g_pending_unit_start = 0;

// Events one analysis reads at most (its scratch space is sized for them).
constexpr uint64 kMaxAnalysedEvents = 1u << 16;

void free_scratch() {
    if (g_buf) pfree(g_buf);
    if (g_scratch) pfree(g_scratch);
    if (g_prov) pfree(g_prov);
    if (g_out) pfree(g_out);
    g_buf = nullptr;
    g_scratch = nullptr;
    g_prov = nullptr;
    g_out = nullptr;
}

POTHOS_COLD bool ensure_scratch() {
    uint32 cap = uint32(std::min<uint64>(uint64(nplus1_window().rings()) * nplus1_window().capacity(), kMaxAnalysedEvents));
    if (g_buf && g_buf_cap == cap) return true;
    free_scratch();
    int flags = MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM;
    g_buf = (Nplus1Event*) MemoryContextAllocExtended(TopMemoryContext, sizeof(Nplus1Event) * cap, flags);
    g_scratch = MemoryContextAllocExtended(TopMemoryContext, nplus1_scratch_bytes(cap), flags);
    g_prov = (Nplus1ProvEntry*) MemoryContextAllocExtended(TopMemoryContext, sizeof(Nplus1ProvEntry) * kMaxProvEntries, flags);
    g_out = (Nplus1Finding*) MemoryContextAllocExtended(TopMemoryContext, sizeof(Nplus1Finding) * kMaxFindingsPerRun, flags);
    if (!g_buf || !g_scratch || !g_prov || !g_out) {
        free_scratch();
        return false;
    }
    g_buf_cap = cap;
    return true;
}

// The hashed values of the parent executions among ev[0..n), read from the
// provenance records of their backends, indexed for nplus1_detect; the
// newest parents first when there is no room for all. Only parents that
// lookups (or row writes) with keys follow, min_repeats of them at least,
// are read: without them there is no loop to find.
size_t collect_provenance(const Nplus1Event* ev, size_t n) {
    const Nplus1ProvArea& area = nplus1_prov_area();
    constexpr uint64 kSeqMask = (uint64(1) << Nplus1Window::kSeqBits) - 1;
    size_t children = 0, last_child = 0;
    for (size_t i = 0; i < n; i++)
        if (nplus1_is_keyed_child(ev[i])) {
            children++;
            last_child = i;
        }
    if (children < size_t(g_nplus1_hot.min_repeats)) return 0;
    uint32 values[kNplus1HashedValues];
    size_t k = 0;
    for (size_t i = last_child; i-- > 0 && k + kNplus1HashedValues <= kMaxProvEntries;) {
        const Nplus1Event& e = ev[i];
        if (!(e.flags & NPLUS1_HASHED) || e.nesting != 0 || e.rows < g_nplus1_hot.min_repeats) continue;
        const int m = area.read(e.backend, area.record_number(e.backend, e.prov), e.id & kSeqMask, values,
                                kNplus1HashedValues);
        for (int j = 0; j < m; j++) g_prov[k++] = Nplus1ProvEntry{values[j], uint32(i)};
    }
    return nplus1_index_provenance(g_prov, k);
}

// ev[0..n): one group in stream order, read as Nplus1Config says.
void detect_and_publish(const Nplus1Event* ev, size_t n, int64 visible_from, int64 wrapped_from) {
    Nplus1Config c;
    c.min_repeats = g_nplus1_hot.min_repeats;
    c.idle_gap_us = int64(g_nplus1_hot.idle_gap_ms) * 1000;
    c.visible_from_us = visible_from;
    c.wrapped_from_us = wrapped_from;
    const size_t nprov = collect_provenance(ev, n);
    size_t k = nplus1_detect(ev, n, c, g_prov, nprov, nplus1_scratch_at(g_scratch, n), g_out, kMaxFindingsPerRun);
    nplus1_publish(g_out, k);
}

// Stream order across rings: by start time; the events of one ring (one
// backend) keep their order (nested statements start with their top-level
// statement and end before it), and ties between rings are broken by ring.
bool by_start(const Nplus1Event& a, const Nplus1Event& b) {
    if (a.ts_us != b.ts_us) return a.ts_us < b.ts_us;
    return a.id < b.id;
}

bool by_group_then_start(const Nplus1Event& a, const Nplus1Event& b) {
    if (a.group != b.group) return a.group < b.group;
    return by_start(a, b);
}

// Numbers the events in stream order (nplus1_detect's seq).
void number(Nplus1Event* ev, size_t n) {
    for (size_t i = 0; i < n; i++) ev[i].seq = i;
}

inline int64 end_of(const Nplus1Event& e) { return e.ts_us + int64(e.exec_ms * 1000.0f); }

// Analyses group's events from since_us on, from every backend's ring:
// those that ended at or after it, and idle_gap before it, so that a unit
// that began at or after since_us is seen from its start. A ring is read
// backwards from its newest event: a backend's statements end one after
// the other (a nested one before its top-level one), so once one ended
// before that, so did every older one (a few more are read, for clock
// steps). A ring that no longer holds all of them (it came round) may have
// lost older statements of the group: the end of the oldest one it still
// held bounds what was seen whole (wrapped).
POTHOS_COLD void analyze_group(uint64 group, int64 since_us) {
    if (!ensure_scratch()) return;
    Nplus1Window& w = nplus1_window();
    const int64 read_from = since_us - int64(g_nplus1_hot.idle_gap_ms) * 1000;
    size_t n = 0;
    int64 wrapped = INT64_MIN;
    Nplus1Event e;
    for (uint32 r = 0; r < w.rings(); r++) {
        uint64 head = w.head(r);
        if (head == 0) continue;
        if (n >= g_buf_cap) {
            wrapped = INT64_MAX;  // rings left unread: nothing was seen whole
            break;
        }
        uint64 oldest = w.oldest(r);
        int old_run = 0;
        int64 last_end = INT64_MAX;
        bool cut = false;
        for (uint64 seq = head;;) {
            if (seq == oldest) {
                cut = oldest > 0;
                break;
            }
            if (n >= g_buf_cap) {
                cut = true;
                break;
            }
            seq--;
            if (!w.read(r, seq, &e)) {  // overwritten meanwhile: so is everything older
                cut = true;
                break;
            }
            if (end_of(e) < read_from) {
                if (++old_run > 8) break;
                continue;
            }
            old_run = 0;
            last_end = end_of(e);
            if (e.group == group) g_buf[n++] = e;
        }
        if (cut && old_run == 0 && last_end != INT64_MAX) wrapped = std::max(wrapped, last_end);
    }
    std::sort(g_buf, g_buf + n, by_start);
    number(g_buf, n);
    detect_and_publish(g_buf, n, read_from, wrapped);
}

// The pending analysis: from idle_gap before the trigger, or from the start
// of the backend's unit of a tag or block if that is earlier (a unit that
// went on for longer than 4 idle gaps before it is left to the sweep);
// a client's unit has no start worth reading back to.
POTHOS_COLD void run_pending_now() {
    g_nplus1_hot.pending = false;
    const uint64 group = g_nplus1_hot.pending_group;
    const int64 gap = int64(g_nplus1_hot.idle_gap_ms) * 1000;
    int64 since = g_nplus1_hot.pending_since_us - gap;
    if (nplus1_group_kind(group) != Nplus1GroupKind::Client)
        since = std::min(since, std::max(g_pending_unit_start, g_nplus1_hot.pending_since_us - 4 * gap));
    analyze_group(group, since);
}

inline void run_pending() {
    if (g_nplus1_hot.pending) run_pending_now();
}

// A new pending analysis for group (the previous one, of another group, runs
// first).
POTHOS_COLD void set_pending(uint64 group, int64 ts) {
    run_pending();
    g_nplus1_hot.pending = true;
    g_nplus1_hot.pending_group = group;
    g_nplus1_hot.pending_since_us = ts;
    g_nplus1_hot.pending_seq = g_nplus1_hot.ring.next();
    nplus1_rows_progress(&g_pending_records, &g_pending_values);
    g_pending_unit_start = g_nplus1_hot.unit_start_us;
}

// A trigger asks for an analysis of group: nothing to do when one is pending
// for it already (the common case, checked inline).
inline void request_analysis(uint64 group, int64 ts) {
    if (g_nplus1_hot.pending && g_nplus1_hot.pending_group == group) return;
    set_pending(group, ts);
}

// Combines a 64-bit value into a hash (multiply-xorshift: cheaper than a
// byte-wise hash on the per-statement path).
inline uint64 mix(uint64 h, uint64 v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 31);
}

// The client's group, computed again when the user or application_name
// changes (rare: the common path is client_group's comparison).
POTHOS_COLD uint64 compute_client_group(Oid user) {
    if (!g_client_base_ready) {
        uint64 h = mix(14695981039346656037ull, 0x636c69656e74ull);  // "client"
        // The client's host, not its port: every pooled connection has its own port.
        if (MyBEEntry) {
            const struct sockaddr* sa = (const struct sockaddr*) &MyBEEntry->st_clientaddr.addr;
            if (sa->sa_family == AF_INET)
                h = nplus1_hash_bytes(&((const struct sockaddr_in*) sa)->sin_addr, sizeof(struct in_addr), h);
            else if (sa->sa_family == AF_INET6)
                h = nplus1_hash_bytes(&((const struct sockaddr_in6*) sa)->sin6_addr, sizeof(struct in6_addr), h);
            else
                h = mix(h, uint64(sa->sa_family));
        }
        g_client_base = h;
        g_client_base_ready = true;
    }
    if (application_name != g_nplus1_hot.client_app || !g_nplus1_hot.client_ready)
        g_app_hash = application_name ? nplus1_hash_bytes(application_name, strlen(application_name)) : 0;
    g_nplus1_hot.client_user = user;
    g_nplus1_hot.client_app = application_name;
    g_nplus1_hot.client_group =
        nplus1_group(mix(mix(mix(g_client_base, MyDatabaseId), user), g_app_hash), Nplus1GroupKind::Client);
    g_nplus1_hot.client_ready = true;
    return g_nplus1_hot.client_group;
}

inline uint64 client_group(Oid user) {
    // client_user is InvalidOid until the group is computed (never a statement's user).
    if (POTHOS_LIKELY(application_name == g_nplus1_hot.client_app && user == g_nplus1_hot.client_user))
        return g_nplus1_hot.client_group;
    return compute_client_group(user);
}

// A text with a '/' (rare): its tag if a comment holds one, and the hash of
// the text without its comments (a sqlcommenter comment changes with every
// statement).
POTHOS_COLD uint64 commented_text_hash(const char* text, size_t len, uint64* tag) {
    nplus1_find_tag(text, len, tag);
    return nplus1_text_hash_without_comments(text, len);
}

// The tag of a nested statement: in the running top-level text, searched
// once per top-level statement (start is its start time).
POTHOS_COLD uint64 nested_tag(TimestampTz start) {
    static const char* cached_src = nullptr;
    static TimestampTz cached_start = 0;
    static uint64 cached_tag = 0;
    const char* src = debug_query_string;
    if (src != cached_src || start != cached_start) {
        uint64 tag = 0;
        Nplus1TextScan t = nplus1_scan_slash(src);
        if (t.slash) nplus1_find_tag(src, t.length, &tag);
        cached_src = src;
        cached_start = start;
        cached_tag = tag;
    }
    return cached_tag;
}

// The group of a statement's unit of work. *text_hash: a hash of the
// statement's text when it has no bound parameters (its literal constants
// then tell its executions apart), else 0.
// The tag is read from the client's statement text: the statement's own
// source at top level (debug_query_string is already cleared when an
// extended-protocol portal ends), the running top-level text when nested.
// start: the statement's start time.
inline uint64 group_of(const StmtEvent& ev, TimestampTz start, bool has_params, bool may_tag, uint64* text_hash) {
    uint64 tag = 0;
    *text_hash = 0;
    if (ev.source) {
        // One pass over the text finds its end and any '/': a tag lives in a
        // /* comment */, so a text without '/' (most of them) has none.
        uint64 own_tag = 0;
        if (!has_params) {
            Nplus1TextScan t = nplus1_scan_text(ev.source);
            *text_hash = t.hash;
            if (POTHOS_UNLIKELY(t.slash)) *text_hash = commented_text_hash(ev.source, t.length, &own_tag);
        } else if (may_tag) {  // else every parse of the statement was searched, without a '/'
            Nplus1TextScan t = nplus1_scan_slash(ev.source);
            if (POTHOS_UNLIKELY(t.slash)) nplus1_find_tag(ev.source, t.length, &own_tag);
        }
        if (POTHOS_LIKELY(ev.nesting_level == 0 || !debug_query_string))
            tag = own_tag;
        else
            tag = nested_tag(start);
    }
    if (POTHOS_LIKELY(!tag)) tag = g_nplus1_hot.request_id_tag;  // SET pothos_perf.request_id (0 when unset)
    if (POTHOS_UNLIKELY(tag != 0)) return nplus1_group(mix(mix(tag, MyDatabaseId), 0x746167ull), Nplus1GroupKind::Tag);
    if (IsTransactionBlock())
        return nplus1_group(mix(mix(mix(0x626c6f636bull, uint64(MyProcPid)), MyProc->lxid), MyDatabaseId),
                            Nplus1GroupKind::Block);
    return client_group(ev.key.userid);
}

uint64 hash_varlena(Datum d, uint64 h) {
    struct varlena* v = (struct varlena*) DatumGetPointer(d);
    if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v)) return mix(h, uint64(VARSIZE_ANY(v)));
    return nplus1_hash_bytes(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), h);
}

// Types below 64 whose Datum is the value (bool, int2/4/8, oid) and whose
// Datum points to a plain varlena (bytea, text): the common parameters,
// told apart with one bit test instead of a switch.
constexpr uint64 type_bit(Oid t) { return uint64(1) << t; }
constexpr uint64 kByValueTypes = type_bit(BOOLOID) | type_bit(INT2OID) | type_bit(INT4OID) | type_bit(INT8OID) | type_bit(OIDOID);
constexpr uint64 kVarlenaTypes = type_bit(BYTEAOID) | type_bit(TEXTOID);
static_assert(BOOLOID < 64 && INT2OID < 64 && INT4OID < 64 && INT8OID < 64 && OIDOID < 64 && BYTEAOID < 64 && TEXTOID < 64,
              "type bits");

// A parameter of any other type.
POTHOS_COLD uint64 hash_other_datum(Datum d, Oid type, uint64 h) {
    switch (type) {
        case FLOAT4OID:
        case FLOAT8OID:
        case DATEOID:
        case TIMESTAMPOID:
        case TIMESTAMPTZOID:
            return mix(h, uint64(d));
        case VARCHAROID:
        case BPCHAROID:
        case NUMERICOID:
        case JSONBOID:
        case JSONOID:
            return hash_varlena(d, h);
        default:
            break;
    }
    int16 len;
    bool byval;
    get_typlenbyval(type, &len, &byval);
    if (byval) return mix(h, uint64(d));
    if (len > 0) return nplus1_hash_bytes(DatumGetPointer(d), size_t(len), h);
    if (len == -2) return nplus1_hash_bytes(DatumGetCString(d), strlen(DatumGetCString(d)), h);
    return hash_varlena(d, h);
}

inline uint64 hash_datum(Datum d, Oid type, uint64 h) {
    if (POTHOS_LIKELY(type < 64 && ((kByValueTypes >> type) & 1))) return mix(h, uint64(d));
    if (type < 64 && ((kVarlenaTypes >> type) & 1)) return hash_varlena(d, h);
    return hash_other_datum(d, type, h);
}

// Hash of the bound parameters; kNoParams without any, 0 when they cannot
// be read without side effects (PL/pgSQL's lazily fetched variables).
constexpr uint64 kNoParams = 0x6e6f6e65ull;  // "none"
__attribute__((noinline)) POTHOS_HOT uint64 bound_params_hash(ParamListInfo p) {
    if (p->paramFetch) return 0;
    uint64 h = 14695981039346656037ull;
    for (int i = 0; i < p->numParams; i++) {
        const ParamExternData* x = &p->params[i];
        h = mix(h, uint64(i));
        h = x->isnull ? mix(h, 0x6e756c6cull) : hash_datum(x->value, x->ptype, h);
    }
    return h | 1;
}

// One parameter of a by-value type (the common lookup): its value times an
// odd constant (a bijection) with the low bit set, so two distinct values
// share a hash only when they differ by one fixed 64-bit constant. Only
// executions of one query id are compared, and they all take the same path
// here (a query id covers its parameters' number and types).
inline uint64 params_hash(const QueryDesc* qd) {
    ParamListInfo p = qd ? qd->params : nullptr;
    if (POTHOS_LIKELY(!p || p->numParams <= 0)) return kNoParams;
    if (p->numParams == 1 && !p->paramFetch) {
        const ParamExternData* x = &p->params[0];
        if (!x->isnull && x->ptype < 64 && ((kByValueTypes >> x->ptype) & 1))
            return (uint64(x->value) * 0x9e3779b97f4a7c15ull) | 1;
    }
    return bound_params_hash(p);
}

// A key of a lookup or row write: a bound parameter's value, or a constant
// noted at parse time.
inline uint32 key_from(uint8 src, uint32 const_key, ParamListInfo p) {
    if (src == kNplus1KeyConst) return const_key;
    if (src == kNplus1KeyNone || p == nullptr || p->paramFetch || src > p->numParams) return 0;
    const ParamExternData* x = &p->params[src - 1];
    return x->isnull ? 0 : nplus1_key_of(x->value, x->ptype);
}

// The statement's rows were hashed (the caller checked rows_open): they
// become its provenance record if it is a parent; the event's flag if so.
// The backend's pending analysis runs now if the area came three quarters
// round since it was asked for (it needs the parents it kept; an execution
// adds at most a quarter, so none of what came after the request is
// overwritten before it runs).
POTHOS_COLD uint16 rows_hashed(const StmtEvent& ev, uint16 flags, uint32* prov) {
    const bool parent = (flags & NPLUS1_SELECT) && ev.rows >= g_nplus1_hot.min_repeats;
    if (!nplus1_rows_end(ev.qd, parent, g_nplus1_hot.ring.next(), prov)) return 0;
    if (g_nplus1_hot.pending) {
        uint64 records, values;
        nplus1_rows_progress(&records, &values);
        if (records - g_pending_records >= nplus1_prov_area().records_per_ring() / 4 * 3 ||
            values - g_pending_values >= nplus1_prov_area().values_per_ring() / 4 * 3)
            run_pending_now();
    }
    return NPLUS1_HASHED;
}

inline uint16 flags_of(const StmtEvent& ev, const Nplus1ShapeSlot* shape) {
    if (shape) return shape->flags;
    if (ev.operation == CMD_SELECT) return NPLUS1_SELECT | NPLUS1_HAS_TABLE;
    return NPLUS1_DML | NPLUS1_HAS_TABLE;
}

// The backend's previous unit has ended: group starts a new one with the
// statement that started at start_us (once per transaction block of a
// transactional workload: not a cold path).
inline void new_unit(uint64 group, int64 start_us, int64 end_us) {
    run_pending();
    g_nplus1_hot.unit_group = group;
    g_nplus1_hot.unit_salt += 0x9e3779b97f4a7c15ull;  // a new value for 2^64 units
    g_nplus1_hot.unit_start_us = start_us;
    g_nplus1_hot.unit_last_end_us = end_us;
}

// queryid's first execution in the unit (or it takes over r's slot): every
// statement of a short transaction block, so inline.
inline void first_in_unit(Repeat* r, uint64 tag) {
    r->tag = tag;
    r->count = 0;
    r->same = 0;
    r->last_param = 0;
}

// The backend's ring (its PGPROC number), found at its first statement.
POTHOS_COLD bool attach_ring() {
    if (!nplus1_ready() || MyProc == nullptr || MyProc->pgprocno < 0) return false;
    g_nplus1_hot.ring = nplus1_window().writer(uint32(MyProc->pgprocno));
    return g_nplus1_hot.ring.valid();
}

}  // namespace

POTHOS_HOT void nplus1_prefetch(uint64 queryid) {
    const char* hot = reinterpret_cast<const char*>(&g_nplus1_hot);
    __builtin_prefetch(hot, 1, 3);
    __builtin_prefetch(hot + 64, 1, 3);
    if (!g_nplus1_hot.enabled || !g_nplus1_hot.ring.valid()) return;
    __builtin_prefetch(&g_nplus1_shapes[queryid % kNplus1ShapeSlots], 0, 3);
    __builtin_prefetch(&g_repeats[queryid % kRepeatSlots], 1, 3);
    __builtin_prefetch(g_nplus1_hot.ring.next_slot(), 1, 3);
}

POTHOS_HOT void nplus1_statement_end(const StmtEvent& ev) {
    // A valid ring implies attached shared memory (attach_ring checks it).
    if (!g_nplus1_hot.enabled || ev.key.queryid == 0) return;
    if (POTHOS_UNLIKELY(!g_nplus1_hot.ring.valid()) && !attach_ring()) return;
    static_assert(CMD_UPDATE == CMD_SELECT + 1 && CMD_INSERT == CMD_SELECT + 2 && CMD_DELETE == CMD_SELECT + 3,
                  "SELECT, UPDATE, INSERT and DELETE are one range");
    if (unsigned(ev.operation) - unsigned(CMD_SELECT) > unsigned(CMD_DELETE - CMD_SELECT))
        return;  // utility statements (COPY, SET, ...) and MERGE are not part of loops
    Nplus1ShapeSlot* shape = nplus1_shape(ev.key.queryid);
    // A top-level statement that reads no table, returns fewer than
    // min_repeats rows and ran no nested statement that entered the window
    // (SELECT 1, a pool's keep-alive, SELECT now()) can be neither a lookup
    // nor a parent: it stays out of the window and of units.
    if (shape && !(shape->flags & NPLUS1_HAS_TABLE) && ev.nesting_level == 0 && ev.rows < g_nplus1_hot.min_repeats &&
        !g_nplus1_hot.nested_seen)
        return;
    g_nplus1_hot.nested_seen = ev.nesting_level > 0;
    const uint64 queryid = ev.key.queryid;
    const uint16 flags = flags_of(ev, shape);
    const uint64 par = params_hash(ev.qd);
    uint64 text_hash;
    const int64 ts = ev.start;
    const uint64 group = group_of(ev, ts, par != kNoParams, shape == nullptr || shape->may_tag, &text_hash);
    // Without bound parameters the text tells executions apart.
    const uint64 param_hash = par == kNoParams ? text_hash | 1 : par;
    // Provenance: a top-level lookup's or row write's keys; a parent's
    // hashed rows; which executions return enough rows to be parents.
    uint32 keys[2] = {0, 0};
    uint32 prov = 0;
    uint16 hashed = 0;
    if (ev.nesting_level == 0) {
        if (shape && shape->key_src[0] != kNplus1KeyNone) {
            ParamListInfo p = ev.qd ? ev.qd->params : nullptr;
            keys[0] = key_from(shape->key_src[0], shape->const_keys[0], p);
            if (shape->key_src[1] != kNplus1KeyNone) keys[1] = key_from(shape->key_src[1], shape->const_keys[1], p);
        }
        if (POTHOS_UNLIKELY(g_nplus1_hot.rows_open)) hashed = rows_hashed(ev, flags, &prov);
        if (shape && (flags & NPLUS1_SELECT)) nplus1_note_rows(shape, ev.rows >= g_nplus1_hot.min_repeats);
    }

    const int64 gap_us = int64(g_nplus1_hot.idle_gap_ms) * 1000;
    const int64 end_us = ts + int64(ev.exec_ms * 1000.0);
    // Nested statements finish before their top-level one, so they may be
    // the first of a new unit.
    uint16 unit_start = 0;
    if (group != g_nplus1_hot.unit_group || ts - g_nplus1_hot.unit_last_end_us > gap_us) {
        new_unit(group, ts, end_us);
        unit_start = NPLUS1_UNIT_START;
    } else if (POTHOS_UNLIKELY(g_nplus1_hot.pending && (ts - g_nplus1_hot.pending_since_us > gap_us ||
                                                  g_nplus1_hot.ring.next() - g_nplus1_hot.pending_seq > g_nplus1_hot.ring.mask / 2)))
        run_pending_now();  // a long unit: analyse what followed the trigger before it leaves the ring

    // The event, written in place into the backend's ring.
    Nplus1Slot* s = g_nplus1_hot.ring.open();
    s->group = group;
    s->queryid = queryid;
    s->param_hash = param_hash;
    s->ts_us = ts;
    s->rows = Nplus1RingWriter::slot_rows(ev.rows);
    s->exec_ms = float(ev.exec_ms);
    s->userid = ev.key.userid;
    s->dbid = ev.key.dbid;
    s->keys[0] = keys[0];
    s->keys[1] = keys[1];
    s->prov = prov;
    s->flags = flags | hashed | unit_start;
    s->nesting = uint16(std::min(ev.nesting_level, 65535));
    g_nplus1_hot.ring.publish();

    // A parent whose rows were hashed may have children to come.
    const int min = g_nplus1_hot.min_repeats;
    bool trigger = hashed != 0;
    Repeat* r = &g_repeats[queryid % kRepeatSlots];
    const uint64 repeat_tag = queryid ^ g_nplus1_hot.unit_salt;
    if (r->tag != repeat_tag) first_in_unit(r, repeat_tag);
    r->count++;
    r->same = param_hash == r->last_param ? r->same + 1 : 1;  // param_hash is never 0
    r->last_param = param_hash;
    if (POTHOS_UNLIKELY(r->count >= min) && ((flags & NPLUS1_DML) || ev.nesting_level > 0 || r->same >= min)) trigger = true;
    if (POTHOS_UNLIKELY(trigger)) request_analysis(group, ts);
    g_nplus1_hot.unit_last_end_us = std::max(g_nplus1_hot.unit_last_end_us, end_us);
}

void nplus1_sweep() {
    if (!nplus1_ready() || !ensure_scratch()) return;
    Nplus1Window& w = nplus1_window();
    // Each ring's newest events, as many as the scratch space has room for;
    // a ring that holds older ones (or came round) bounds what the sweep saw
    // whole by the end of the first one read (wrapped).
    const uint64 per_ring = std::max<uint64>(g_buf_cap / std::max<uint32>(w.rings(), 1), 16);
    size_t n = 0;
    int64 wrapped = INT64_MIN;
    for (uint32 r = 0; r < w.rings(); r++) {
        uint64 head = w.head(r);
        if (head == 0) continue;
        if (n >= g_buf_cap) {
            wrapped = INT64_MAX;
            break;
        }
        uint64 from = std::max(w.oldest(r), head > per_ring ? head - per_ring : 0);
        const size_t first = n;
        for (uint64 seq = from; seq < head && n < g_buf_cap; seq++)
            if (w.read(r, seq, &g_buf[n])) n++;
        if (from > 0 || n == g_buf_cap) wrapped = std::max(wrapped, n > first ? end_of(g_buf[first]) : INT64_MAX);
    }
    std::sort(g_buf, g_buf + n, by_group_then_start);
    size_t b = 0;
    while (b < n) {
        size_t e = b + 1;
        while (e < n && g_buf[e].group == g_buf[b].group) e++;
        if (e - b >= size_t(g_nplus1_hot.min_repeats)) {
            number(g_buf + b, e - b);
            detect_and_publish(g_buf + b, e - b, INT64_MIN, wrapped);
        }
        b = e;
    }
}

}  // namespace pothos::ext
