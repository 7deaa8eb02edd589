// nplus1/detector.cpp -- see nplus1/detector.h.
#include "core/nplus1/detector.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace pothos::core {

const char* nplus1_kind_name(Nplus1Kind k) noexcept {
    switch (k) {
        case Nplus1Kind::Nplus1: return "n_plus_one";
        case Nplus1Kind::DuplicateQuery: return "duplicate_query";
        case Nplus1Kind::RowByRowDml: return "row_by_row_dml";
        case Nplus1Kind::ServerSideLoop: return "server_side_loop";
    }
    return "unknown";
}

size_t nplus1_index_provenance(Nplus1ProvEntry* e, size_t n) noexcept {
    std::sort(e, e + n, [](const Nplus1ProvEntry& a, const Nplus1ProvEntry& b) {
        return a.value != b.value ? a.value < b.value : a.event < b.event;
    });
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || e[i].value != e[w - 1].value || e[i].event != e[w - 1].event) e[w++] = e[i];
    return w;
}

size_t nplus1_scratch_bytes(size_t n) noexcept {
    return n * (sizeof(uint64_t) + sizeof(int64_t) + sizeof(uint32_t) + sizeof(int32_t) + sizeof(int32_t) +
                sizeof(uint32_t));
}

Nplus1Scratch nplus1_scratch_at(void* mem, size_t n) noexcept {
    char* p = static_cast<char*>(mem);
    Nplus1Scratch s;
    s.hashes = reinterpret_cast<uint64_t*>(p);
    s.last_end = reinterpret_cast<int64_t*>(p + n * 8);
    s.idx = reinterpret_cast<uint32_t*>(p + n * 16);
    s.owner = reinterpret_cast<int32_t*>(p + n * 20);
    s.count = reinterpret_cast<int32_t*>(p + n * 24);
    s.touched = reinterpret_cast<uint32_t*>(p + n * 28);
    return s;
}

namespace {

struct Out {
    Nplus1Finding* out;
    size_t cap;
    size_t n = 0;
    void emit(const Nplus1Finding& f) {
        if (n < cap) out[n++] = f;
    }
};

// Sorts h[0..k) and returns the number of distinct values (0 = unknown, each
// counted as distinct); *max_same receives the largest multiplicity of a
// known value.
int64_t distinct_of(uint64_t* h, size_t k, int64_t* max_same) {
    std::sort(h, h + k);
    int64_t distinct = 0, best = 0, run = 0;
    for (size_t i = 0; i < k; i++) {
        if (h[i] == 0) {
            distinct++;
            continue;
        }
        if (i > 0 && h[i] == h[i - 1]) {
            run++;
        } else {
            distinct++;
            run = 1;
        }
        best = std::max(best, run);
    }
    if (max_same) *max_same = best;
    return distinct;
}

inline int64_t end_of(const Nplus1Event& e) { return e.ts_us + int64_t(double(e.exec_ms) * 1000.0); }

bool is_parent_candidate(const Nplus1Event& e, uint64_t child, int min_repeats) {
    return e.queryid != child && e.nesting == 0 && (e.flags & NPLUS1_SELECT) && e.rows >= min_repeats;
}

// Latest parent candidate before position first, in [b, first): the parent
// named for row-by-row writes found without provenance.
long find_parent(const Nplus1Event* ev, size_t b, size_t first, uint64_t child, int min_repeats) {
    for (size_t k = first; k > b; k--)
        if (is_parent_candidate(ev[k - 1], child, min_repeats)) return long(k - 1);
    return -1;
}

Nplus1Finding base(Nplus1Kind kind, const Nplus1Event& child) {
    Nplus1Finding f{};
    f.kind = kind;
    f.queryid = child.queryid;
    f.userid = child.userid;
    f.dbid = child.dbid;
    f.flags = child.flags;
    return f;
}

// f is anchored on event e: its identity in the window, and its start (the
// anchor's age).
inline void anchor_on(Nplus1Finding& f, const Nplus1Event& e) {
    f.anchor = e.id;
    f.anchor_ts = e.ts_us;
}

// idx[0..e-b) = positions b..e-1 sorted by fingerprint, top-level before
// nested, then stream order.
void sort_by_fingerprint(const Nplus1Event* ev, size_t b, size_t e, uint32_t* idx) {
    size_t m = e - b;
    for (size_t i = 0; i < m; i++) idx[i] = uint32_t(b + i);
    std::sort(idx, idx + m, [ev](uint32_t a, uint32_t c) {
        if (ev[a].queryid != ev[c].queryid) return ev[a].queryid < ev[c].queryid;
        bool na = ev[a].nesting != 0, nc = ev[c].nesting != 0;
        if (na != nc) return nc;
        return a < c;
    });
}

// End of the run of idx starting at r0 (same fingerprint, same nesting).
size_t run_end(const Nplus1Event* ev, const uint32_t* idx, size_t r0, size_t m) {
    const Nplus1Event& f0 = ev[idx[r0]];
    size_t r1 = r0 + 1;
    while (r1 < m && ev[idx[r1]].queryid == f0.queryid && (ev[idx[r1]].nesting != 0) == (f0.nesting != 0)) r1++;
    return r1;
}

// Whether the caller may not have read events that ended before `from`
// within idle_gap before event x.
bool may_miss(const Nplus1Event& x, int64_t from, const Nplus1Config& cfg) {
    return from != INT64_MIN && x.ts_us - cfg.idle_gap_us < from;
}

// Whether a unit (tag or block group) or run (client group) that starts with
// event first may have begun with statements the caller did not read.
bool start_unseen(const Nplus1Event& first, const Nplus1Config& cfg) {
    if (may_miss(first, cfg.visible_from_us, cfg)) return true;
    const bool starts_unit = (first.flags & NPLUS1_UNIT_START) &&
                             nplus1_group_kind(first.group) != Nplus1GroupKind::Client;
    return !starts_unit && may_miss(first, cfg.wrapped_from_us, cfg);
}

bool is_single_row_write(const Nplus1Event& x) { return (x.flags & NPLUS1_DML) && (x.flags & NPLUS1_SINGLE_ROW) && x.rows <= 1; }

bool is_repeatable_select(const Nplus1Event& x) {
    return (x.flags & NPLUS1_SELECT) && (x.flags & NPLUS1_HAS_TABLE) && !(x.flags & NPLUS1_SKIP_LOCKED);
}

// ---- provenance: the child's keys are values its parent returned ----

// Parents holding one key that a lookup examines (the latest first).
constexpr int kMaxProbes = 32;

bool is_hashed_parent(const Nplus1Event& p, int min_repeats) {
    return p.nesting == 0 && (p.flags & NPLUS1_SELECT) && (p.flags & NPLUS1_HASHED) && p.rows >= min_repeats;
}

struct Provenance {
    const Nplus1ProvEntry* entries;
    size_t n;

    const Nplus1ProvEntry* lower(uint32_t value, uint32_t event) const {
        return std::lower_bound(entries, entries + n, Nplus1ProvEntry{value, event},
                                [](const Nplus1ProvEntry& a, const Nplus1ProvEntry& b) {
                                    return a.value != b.value ? a.value < b.value : a.event < b.event;
                                });
    }
    bool holds(uint32_t event, uint32_t value) const {
        const Nplus1ProvEntry* it = lower(value, event);
        return it != entries + n && it->value == value && it->event == event;
    }
};

// The parents of lookup x by one of its keys: parent executions before x
// whose values hold the key, that ended before x started, and whose loop of
// x's fingerprint is still going (its last iteration, or the parent itself,
// ended at most idle_gap before x); an execution of x's own statement whose
// rows only echo its own key is none. Updates the latest of them (*latest)
// and the latest on x's backend (*own): a loop on one connection runs on the
// connection of its parent, whatever parent of another request returned the
// same values meanwhile.
void parents_by_key(const Nplus1Event* ev, uint32_t x, uint32_t key, const Provenance& prov, const Nplus1Scratch& s,
                    const Nplus1Config& cfg, long* latest, long* own) {
    const Nplus1ProvEntry* lo = prov.lower(key, 0);
    const Nplus1ProvEntry* it = prov.lower(key, x);
    for (int probes = 0; it != lo && probes < kMaxProbes; probes++) {
        --it;
        const long p = long(it->event);
        if (p <= *own) break;  // older than what is known
        const Nplus1Event& pe = ev[p];
        if (!is_hashed_parent(pe, cfg.min_repeats) || end_of(pe) > ev[x].ts_us) continue;
        if (pe.queryid == ev[x].queryid && (pe.keys[0] == key || pe.keys[1] == key)) continue;
        const int64_t last = s.count[p] > 0 ? s.last_end[p] : end_of(pe);
        if (ev[x].ts_us - last > cfg.idle_gap_us) continue;
        *latest = std::max(*latest, p);
        if (pe.backend == ev[x].backend) {
            *own = p;
            break;
        }
    }
}

// owner of an execution that is no loop iteration.
constexpr int32_t kUnexplained = -1;

// Executions of the child (idx[c0..c1), in stream order) that started in
// [from, to), are no loop iteration of a parent found to loop, and have a
// key among parent p's values.
int64_t chance_hits(const Nplus1Event* ev, const uint32_t* idx, size_t c0, size_t c1, const int32_t* owner, uint32_t p,
                    int64_t from, int64_t to, const Provenance& prov) {
    const uint32_t* it = std::lower_bound(idx + c0, idx + c1, from,
                                          [ev](uint32_t a, int64_t ts) { return ev[a].ts_us < ts; });
    int64_t hits = 0;
    for (; it != idx + c1 && ev[*it].ts_us < to; ++it) {
        const Nplus1Event& x = ev[*it];
        if (owner[*it] != kUnexplained) continue;
        if ((x.keys[0] && prov.holds(p, x.keys[0])) || (x.keys[1] && prov.holds(p, x.keys[1]))) hits++;
    }
    return hits;
}

// Whether parent p's count iterations of the child are a loop: at least
// min_repeats of them. In a client group, where independent requests run
// side by side, they must also stand out from chance: at least
// min_repeats + 2 mu + 2 sqrt(mu) (rounded down: a mu below 0.1 adds
// nothing), mu being the hits on p's values expected in the loop's span at
// the rate of the chance hits seen before p ran (the child's executions that
// were no iteration of a loop found), over idle_gap or what the caller read
// of it; one hit more than seen is assumed, so that a short history raises
// the bar. The caller judges parents in stream order, so the executions
// before p are settled.
bool is_loop(const Nplus1Event* ev, const uint32_t* idx, size_t c0, size_t c1, const int32_t* owner, uint32_t p,
             int64_t count, int64_t last_end, const Nplus1Config& cfg, const Provenance& prov) {
    if (count < cfg.min_repeats) return false;
    const Nplus1Event& pe = ev[p];
    if (nplus1_group_kind(pe.group) != Nplus1GroupKind::Client) return true;
    const int64_t span = std::max<int64_t>(last_end - end_of(pe), 1000);
    int64_t history = cfg.idle_gap_us;
    const int64_t seen_from = std::max(cfg.visible_from_us, cfg.wrapped_from_us);
    if (seen_from != INT64_MIN) history = std::min(history, std::max<int64_t>(pe.ts_us - seen_from, 0));
    const int64_t before = chance_hits(ev, idx, c0, c1, owner, p, pe.ts_us - history, pe.ts_us, prov);
    const double mu = double(before + 1) * double(span) / double(std::max<int64_t>(history, 1000));
    return double(count) >= double(cfg.min_repeats) + std::floor(2.0 * mu + 2.0 * std::sqrt(mu));
}

// One occurrence of one child of parent execution ev[p]: its lookups
// (n_plus_one; merged with its siblings later) or its writes (row_by_row_dml).
Nplus1Finding loop_occurrence(const Nplus1Event* ev, uint32_t p, const Nplus1Event& proto, uint64_t first_seq,
                              int64_t count, int64_t distinct, double time_ms, int64_t last_ts) {
    const bool lookup = (proto.flags & NPLUS1_SELECT) != 0;
    Nplus1Finding f = base(lookup ? Nplus1Kind::Nplus1 : Nplus1Kind::RowByRowDml, proto);
    f.parent_queryid = ev[p].queryid;
    anchor_on(f, ev[p]);
    f.repeats = count;
    f.distinct_params = distinct;
    f.time_ms = time_ms;
    f.parent_rows = ev[p].rows;
    f.last_ts_us = last_ts;
    if (lookup) {
        f.nchildren = 1;
        f.children[0] = Nplus1Child{proto.queryid, first_seq, count, distinct, time_ms, last_ts, proto.flags};
    }
    return f;
}

// Attributes every keyed child execution to its parent execution (owner),
// keeps the attributions that make a loop and reports them; the others
// become kUnexplained.
void provenance_pass(const Nplus1Event* ev, size_t n, const Nplus1Config& cfg, const Provenance& prov,
                     Nplus1Scratch s, Out* out) {
    std::fill(s.owner, s.owner + n, kUnexplained);
    if (prov.n == 0) return;
    std::fill(s.count, s.count + n, 0);
    uint32_t* idx = s.idx;
    sort_by_fingerprint(ev, 0, n, idx);
    for (size_t c0 = 0; c0 < n;) {
        const size_t c1 = run_end(ev, idx, c0, n);
        const Nplus1Event& f0 = ev[idx[c0]];
        if (f0.nesting != 0 || c1 - c0 < size_t(cfg.min_repeats) || f0.queryid == 0) {
            c0 = c1;
            continue;
        }
        size_t touched = 0;
        for (size_t k = c0; k < c1; k++) {
            const uint32_t x = idx[k];
            if (!nplus1_is_keyed_child(ev[x])) continue;
            long latest = -1, own = -1;
            for (uint32_t key : ev[x].keys)
                if (key) parents_by_key(ev, x, key, prov, s, cfg, &latest, &own);
            const long best = own >= 0 ? own : latest;
            if (best < 0) continue;
            s.owner[x] = int32_t(best);
            if (s.count[best]++ == 0) {
                s.touched[touched++] = uint32_t(best);
                s.last_end[best] = end_of(ev[x]);
            } else {
                s.last_end[best] = std::max(s.last_end[best], end_of(ev[x]));
            }
        }
        std::sort(s.touched, s.touched + touched);  // judged in stream order
        for (size_t t = 0; t < touched; t++) {
            const uint32_t p = s.touched[t];
            const bool loop = is_loop(ev, idx, c0, c1, s.owner, p, s.count[p], s.last_end[p], cfg, prov);
            size_t m = 0;
            double time_ms = 0;
            uint64_t first_seq = 0;
            const Nplus1Event* last = nullptr;
            for (size_t k = c0; k < c1; k++) {
                const uint32_t x = idx[k];
                if (s.owner[x] != int32_t(p)) continue;
                if (!loop) {
                    s.owner[x] = kUnexplained;
                    continue;
                }
                if (m == 0) first_seq = ev[x].seq;
                s.hashes[m++] = ev[x].param_hash;
                time_ms += ev[x].exec_ms;
                last = &ev[x];
            }
            if (last) {
                const int64_t distinct = distinct_of(s.hashes, m, nullptr);
                out->emit(loop_occurrence(ev, p, *last, first_seq, int64_t(m), distinct, time_ms, last->ts_us));
            }
            s.count[p] = 0;
        }
        c0 = c1;
    }
}

// ---- statements repeated within one top-level statement ----

void server_side_loops(const Nplus1Event* ev, size_t e, uint32_t* idx, size_t r0, size_t r1, const Nplus1Config& cfg,
                       uint64_t* hashes, Out* out) {
    // Group the nested executions by outer statement: same backend, same
    // top-level start time.
    std::sort(idx + r0, idx + r1, [ev](uint32_t a, uint32_t c) {
        if (ev[a].backend != ev[c].backend) return ev[a].backend < ev[c].backend;
        if (ev[a].ts_us != ev[c].ts_us) return ev[a].ts_us < ev[c].ts_us;
        return a < c;
    });
    size_t s = r0;
    while (s < r1) {
        size_t t = s + 1;
        while (t < r1 && ev[idx[t]].backend == ev[idx[s]].backend && ev[idx[t]].ts_us == ev[idx[s]].ts_us) t++;
        size_t count = t - s;
        if (count >= size_t(cfg.min_repeats)) {
            const Nplus1Event& first = ev[idx[s]];
            const Nplus1Event& last = ev[idx[t - 1]];
            double time_ms = 0;
            for (size_t k = s; k < t; k++) {
                hashes[k - s] = ev[idx[k]].param_hash;
                time_ms += ev[idx[k]].exec_ms;
            }
            Nplus1Finding f = base(Nplus1Kind::ServerSideLoop, first);
            anchor_on(f, first);
            for (size_t k = idx[t - 1] + 1; k < e; k++) {
                const Nplus1Event& o = ev[k];
                if (o.nesting == 0 && o.backend == first.backend && o.ts_us == first.ts_us) {
                    f.parent_queryid = o.queryid;
                    anchor_on(f, o);
                    break;
                }
            }
            f.repeats = int64_t(count);
            f.distinct_params = distinct_of(hashes, count, nullptr);
            f.time_ms = time_ms;
            f.last_ts_us = last.ts_us;
            out->emit(f);
        }
        s = t;
    }
}

// ---- one unit of a tag or block group ----

void detect_unit(const Nplus1Event* ev, size_t b, size_t e, const Nplus1Config& cfg, Nplus1Scratch s, Out* out) {
    const size_t m = e - b;
    uint32_t* idx = s.idx;
    const bool seen = !start_unseen(ev[b], cfg);
    sort_by_fingerprint(ev, b, e, idx);
    size_t r0 = 0;
    while (r0 < m) {
        const Nplus1Event& f0 = ev[idx[r0]];
        const size_t r1 = run_end(ev, idx, r0, m);
        if (r1 - r0 >= size_t(cfg.min_repeats) && f0.queryid != 0) {
            if (f0.nesting != 0) {
                server_side_loops(ev, e, idx, r0, r1, cfg, s.hashes, out);
            } else if (seen && ((f0.flags & NPLUS1_DML) || is_repeatable_select(f0))) {
                // The executions that are no loop iteration of a parent.
                size_t count = 0;
                bool single = true;
                double time_ms = 0;
                const Nplus1Event* last = nullptr;
                for (size_t k = r0; k < r1; k++) {
                    const Nplus1Event& x = ev[idx[k]];
                    if (s.owner[idx[k]] != kUnexplained) continue;
                    single = single && is_single_row_write(x);
                    s.hashes[count++] = x.param_hash;
                    time_ms += x.exec_ms;
                    last = &x;
                }
                int64_t max_same = 0;
                const int64_t distinct = distinct_of(s.hashes, count, &max_same);
                Nplus1Finding f;
                if ((f0.flags & NPLUS1_DML) && single && count >= size_t(cfg.min_repeats)) {
                    f = base(Nplus1Kind::RowByRowDml, f0);
                    long j = find_parent(ev, b, idx[r0], f0.queryid, cfg.min_repeats);
                    if (j >= 0) {
                        f.parent_queryid = ev[j].queryid;
                        f.parent_rows = ev[j].rows;
                    }
                } else if (!(f0.flags & NPLUS1_DML) && max_same >= cfg.min_repeats) {
                    f = base(Nplus1Kind::DuplicateQuery, f0);
                } else {
                    r0 = r1;
                    continue;
                }
                anchor_on(f, f0);
                f.repeats = int64_t(count);
                f.distinct_params = distinct;
                f.time_ms = time_ms;
                f.last_ts_us = last->ts_us;
                out->emit(f);
            }
        }
        r0 = r1;
    }
}

void detect_units(const Nplus1Event* ev, size_t n, const Nplus1Config& cfg, Nplus1Scratch s, Out* out) {
    size_t b = 0;
    int64_t last_end = 0;
    for (size_t i = 0; i < n; i++) {
        const int64_t end = end_of(ev[i]);
        if (i > b && ev[i].ts_us - last_end > cfg.idle_gap_us) {
            detect_unit(ev, b, i, cfg, s, out);
            b = i;
            last_end = end;
        } else {
            last_end = std::max(last_end, end);
        }
        if (i == 0) last_end = end;
    }
    if (n > b) detect_unit(ev, b, n, cfg, s, out);
}

// ---- a client group: independent requests side by side ----

// A run of one backend's statements: reported with its first one as anchor
// when it numbers min_repeats and its start was seen.
void report_run(Nplus1Kind kind, const Nplus1Event* ev, const uint32_t* run, size_t count, const Nplus1Config& cfg,
                uint64_t* hashes, Out* out) {
    if (count < size_t(cfg.min_repeats) || start_unseen(ev[run[0]], cfg)) return;
    double time_ms = 0;
    for (size_t k = 0; k < count; k++) {
        hashes[k] = ev[run[k]].param_hash;
        time_ms += ev[run[k]].exec_ms;
    }
    Nplus1Finding f = base(kind, ev[run[0]]);
    anchor_on(f, ev[run[0]]);
    f.repeats = int64_t(count);
    f.distinct_params = distinct_of(hashes, count, nullptr);
    f.time_ms = time_ms;
    f.last_ts_us = ev[run[count - 1]].ts_us;
    out->emit(f);
}

void detect_client(const Nplus1Event* ev, size_t n, const Nplus1Config& cfg, Nplus1Scratch s, Out* out) {
    uint32_t* idx = s.idx;
    // Nested statements: per top-level statement, whatever the units.
    sort_by_fingerprint(ev, 0, n, idx);
    for (size_t r0 = 0; r0 < n;) {
        const size_t r1 = run_end(ev, idx, r0, n);
        if (ev[idx[r0]].nesting != 0 && r1 - r0 >= size_t(cfg.min_repeats) && ev[idx[r0]].queryid != 0)
            server_side_loops(ev, n, idx, r0, r1, cfg, s.hashes, out);
        r0 = r1;
    }
    // Each backend's top-level statements, in its order.
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (ev[i].nesting == 0) idx[m++] = uint32_t(i);
    std::stable_sort(idx, idx + m, [ev](uint32_t a, uint32_t c) { return ev[a].backend < ev[c].backend; });
    // Row-by-row writes: one write after the other on one backend, nothing
    // else in between.
    for (size_t k = 0; k < m;) {
        const Nplus1Event& x0 = ev[idx[k]];
        size_t j = k + 1;
        if (is_single_row_write(x0) && s.owner[idx[k]] == kUnexplained) {
            while (j < m) {
                const Nplus1Event& x = ev[idx[j]];
                if (x.backend != x0.backend || x.queryid != x0.queryid || !is_single_row_write(x) ||
                    s.owner[idx[j]] != kUnexplained || x.ts_us - end_of(ev[idx[j - 1]]) > cfg.idle_gap_us)
                    break;
                j++;
            }
            report_run(Nplus1Kind::RowByRowDml, ev, idx + k, j - k, cfg, s.hashes, out);
        }
        k = j;
    }
    // Duplicates: a burst of one SELECT on one backend with the same
    // parameters (consecutive executions of it, other statements in between,
    // all within idle_gap of the first). Batched fetches are left out: a
    // DataLoader sends one per request, and requests that load the same keys
    // are not one unit of work.
    std::stable_sort(idx, idx + m, [ev](uint32_t a, uint32_t c) {
        if (ev[a].backend != ev[c].backend) return ev[a].backend < ev[c].backend;
        return ev[a].queryid < ev[c].queryid;
    });
    uint32_t* run = s.touched;
    for (size_t k = 0; k < m;) {
        const Nplus1Event& x0 = ev[idx[k]];
        size_t j = k + 1;
        while (j < m && ev[idx[j]].backend == x0.backend && ev[idx[j]].queryid == x0.queryid) j++;
        if (is_repeatable_select(x0) && !(x0.flags & NPLUS1_BATCHED) && j - k >= size_t(cfg.min_repeats)) {
            size_t count = 0;
            for (size_t t = k; t < j; t++) {
                const Nplus1Event& x = ev[idx[t]];
                const bool member = s.owner[idx[t]] == kUnexplained && x.param_hash != 0;
                const bool joins = member && count > 0 && x.param_hash == ev[run[0]].param_hash &&
                                   x.ts_us - end_of(ev[run[count - 1]]) <= cfg.idle_gap_us &&
                                   x.ts_us - ev[run[0]].ts_us <= cfg.idle_gap_us;
                if (count > 0 && !joins) {
                    report_run(Nplus1Kind::DuplicateQuery, ev, run, count, cfg, s.hashes, out);
                    count = 0;
                }
                if (member) run[count++] = idx[t];
            }
            report_run(Nplus1Kind::DuplicateQuery, ev, run, count, cfg, s.hashes, out);
        }
        k = j;
    }
}

// ---- one finding per parent execution ----

bool same_parent_execution(const Nplus1Finding& a, const Nplus1Finding& b) {
    return a.kind == Nplus1Kind::Nplus1 && b.kind == Nplus1Kind::Nplus1 && a.anchor == b.anchor &&
           a.parent_queryid == b.parent_queryid && a.userid == b.userid && a.dbid == b.dbid;
}

void set_primary(Nplus1Finding* f) {
    const Nplus1Child& c = f->children[0];
    f->queryid = c.queryid;
    f->repeats = c.repeats;
    f->distinct_params = c.distinct_params;
    f->time_ms = c.time_ms;
    f->last_ts_us = c.last_ts_us;
    f->flags = c.flags;
    f->siblings = int32_t(f->nchildren) - 1;
}

// The children of one parent execution (each found on its own) become one
// finding per kNplus1MaxChildren children, in order of first execution.
void merge_children(Out* out) {
    constexpr size_t kMaxMerged = 64;
    Nplus1Finding* f = out->out;
    const size_t n = out->n;
    for (size_t i = 0; i < n; i++) {
        if (f[i].kind != Nplus1Kind::Nplus1 || f[i].repeats < 0 || f[i].nchildren != 1) continue;
        size_t members[kMaxMerged];
        size_t m = 0;
        for (size_t j = i; j < n && m < kMaxMerged; j++)
            if (f[j].repeats >= 0 && f[j].nchildren == 1 && same_parent_execution(f[i], f[j])) members[m++] = j;
        if (m < 2) continue;
        Nplus1Child kids[kMaxMerged];
        for (size_t t = 0; t < m; t++) kids[t] = f[members[t]].children[0];
        std::sort(kids, kids + m, [](const Nplus1Child& a, const Nplus1Child& b) { return a.first_seq < b.first_seq; });
        const Nplus1Finding proto = f[i];
        size_t slot = 0;
        for (size_t c = 0; c < m; c += kNplus1MaxChildren, slot++) {
            Nplus1Finding g = proto;
            g.nchildren = uint8_t(std::min<size_t>(kNplus1MaxChildren, m - c));
            for (size_t t = 0; t < g.nchildren; t++) g.children[t] = kids[c + t];
            set_primary(&g);
            f[members[slot]] = g;
        }
        for (size_t t = slot; t < m; t++) f[members[t]].repeats = -1;  // merged away
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].repeats >= 0) f[w++] = f[i];
    out->n = w;
}

}  // namespace

bool nplus1_is_keyed_child(const Nplus1Event& x) noexcept {
    if (x.nesting != 0 || (x.keys[0] == 0 && x.keys[1] == 0) || (x.flags & NPLUS1_BATCHED)) return false;
    if (x.flags & NPLUS1_SELECT)
        return (x.flags & NPLUS1_HAS_TABLE) && (x.flags & NPLUS1_KEY_LOOKUP) && !(x.flags & NPLUS1_SKIP_LOCKED);
    return is_single_row_write(x);
}

size_t nplus1_detect(const Nplus1Event* events, size_t n, const Nplus1Config& cfg, const Nplus1ProvEntry* prov,
                     size_t nprov, Nplus1Scratch scratch, Nplus1Finding* out, size_t out_cap) noexcept {
    Out o{out, out_cap};
    if (cfg.min_repeats < 2 || n == 0) return 0;
    provenance_pass(events, n, cfg, Provenance{prov, nprov}, scratch, &o);
    if (nplus1_group_kind(events[0].group) == Nplus1GroupKind::Client)
        detect_client(events, n, cfg, scratch, &o);
    else
        detect_units(events, n, cfg, scratch, &o);
    merge_children(&o);
    return o.n;
}

}  // namespace pothos::core
