// nplus1/detector.cpp -- see nplus1/detector.h.
#include "core/nplus1/detector.h"

#include <algorithm>

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

bool mostly_distinct(int64_t distinct, int64_t count) { return distinct * 2 >= count && distinct >= 2; }

bool is_parent_candidate(const Nplus1Event& e, uint64_t child, int min_repeats) {
    return e.queryid != child && e.nesting == 0 && (e.flags & NPLUS1_SELECT) && e.rows >= min_repeats;
}

// Latest parent candidate before position first, in [b, first).
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

// An n_plus_one occurrence of one child, anchored on parent execution
// ev[anchor]; the child is also children[0] (merged with its siblings later).
Nplus1Finding lookup_occurrence(const Nplus1Event* ev, long anchor, const Nplus1Event& proto, uint64_t first_seq, int64_t count,
                            int64_t distinct, double time_ms, int64_t last_ts, bool by_rate) {
    Nplus1Finding f = base(Nplus1Kind::Nplus1, proto);
    f.parent_queryid = ev[anchor].queryid;
    anchor_on(f, ev[anchor]);
    f.repeats = count;
    f.distinct_params = distinct;
    f.time_ms = time_ms;
    f.parent_rows = ev[anchor].rows;
    f.last_ts_us = last_ts;
    f.by_rate = by_rate;
    f.nchildren = 1;
    f.children[0] = Nplus1Child{proto.queryid, first_seq, count, distinct, time_ms, last_ts, proto.flags};
    return f;
}

// Lookups of fingerprint q after parent position j, split into bursts at
// each execution of the parent's fingerprint. Returns the bursts emitted.
size_t n_plus_one_bursts(const Nplus1Event* ev, size_t j, size_t e, uint64_t q, const Nplus1Config& cfg,
                         uint64_t* hashes, Out* out) {
    const uint64_t p = ev[j].queryid;
    long anchor = -1;
    size_t count = 0, emitted = 0;
    double time_ms = 0;
    int64_t last_ts = 0;
    uint64_t first_seq = 0;
    const Nplus1Event* proto = nullptr;
    auto close = [&]() {
        if (anchor >= 0 && count >= size_t(cfg.min_repeats)) {
            int64_t distinct = distinct_of(hashes, count, nullptr);
            if (mostly_distinct(distinct, int64_t(count))) {
                out->emit(lookup_occurrence(ev, anchor, *proto, first_seq, int64_t(count), distinct, time_ms,
                                            last_ts, false));
                emitted++;
            }
        }
        anchor = -1;
        count = 0;
        time_ms = 0;
    };
    for (size_t k = j; k < e; k++) {
        const Nplus1Event& x = ev[k];
        if (x.nesting != 0) continue;
        if (x.queryid == p) {
            close();
            if (x.rows >= cfg.min_repeats) anchor = long(k);
        } else if (x.queryid == q && anchor >= 0) {
            if (count == 0) first_seq = x.seq;
            hashes[count++] = x.param_hash;
            time_ms += x.exec_ms;
            last_ts = x.ts_us;
            proto = &x;
        }
    }
    close();
    return emitted;
}

void server_side_loops(const Nplus1Event* ev, size_t b, size_t e, uint32_t* idx, size_t r0, size_t r1,
                       const Nplus1Config& cfg, uint64_t* hashes, Out* out) {
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
            (void) b;
            f.repeats = int64_t(count);
            f.distinct_params = distinct_of(hashes, count, nullptr);
            f.time_ms = time_ms;
            f.last_ts_us = last.ts_us;
            out->emit(f);
        }
        s = t;
    }
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

void detect_unit(const Nplus1Event* ev, size_t b, size_t e, const Nplus1Config& cfg, Nplus1Scratch s, Out* out) {
    size_t m = e - b;
    uint32_t* idx = s.idx;
    sort_by_fingerprint(ev, b, e, idx);
    size_t r0 = 0;
    while (r0 < m) {
        const Nplus1Event& f0 = ev[idx[r0]];
        size_t r1 = run_end(ev, idx, r0, m);
        size_t count = r1 - r0;
        if (count >= size_t(cfg.min_repeats) && f0.queryid != 0) {
            if (f0.nesting != 0) {
                server_side_loops(ev, b, e, idx, r0, r1, cfg, s.hashes, out);
            } else if (f0.flags & NPLUS1_DML) {
                bool single = true;
                double time_ms = 0;
                for (size_t k = r0; k < r1; k++) {
                    const Nplus1Event& x = ev[idx[k]];
                    single = single && (x.flags & NPLUS1_SINGLE_ROW) && x.rows <= 1;
                    s.hashes[k - r0] = x.param_hash;
                    time_ms += x.exec_ms;
                }
                if (single) {
                    Nplus1Finding f = base(Nplus1Kind::RowByRowDml, f0);
                    long j = find_parent(ev, b, idx[r0], f0.queryid, cfg.min_repeats);
                    if (j >= 0) {
                        f.parent_queryid = ev[j].queryid;
                        f.parent_rows = ev[j].rows;
                    }
                    anchor_on(f, f0);
                    f.repeats = int64_t(count);
                    f.distinct_params = distinct_of(s.hashes, count, nullptr);
                    f.time_ms = time_ms;
                    f.last_ts_us = ev[idx[r1 - 1]].ts_us;
                    out->emit(f);
                }
            } else if ((f0.flags & NPLUS1_SELECT) && (f0.flags & NPLUS1_HAS_TABLE) && !(f0.flags & NPLUS1_SKIP_LOCKED)) {
                double time_ms = 0;
                for (size_t k = r0; k < r1; k++) {
                    s.hashes[k - r0] = ev[idx[k]].param_hash;
                    time_ms += ev[idx[k]].exec_ms;
                }
                int64_t max_same = 0;
                int64_t distinct = distinct_of(s.hashes, count, &max_same);
                if (max_same >= cfg.min_repeats) {
                    Nplus1Finding f = base(Nplus1Kind::DuplicateQuery, f0);
                    anchor_on(f, f0);
                    f.repeats = int64_t(count);
                    f.distinct_params = distinct;
                    f.time_ms = time_ms;
                    f.last_ts_us = ev[idx[r1 - 1]].ts_us;
                    out->emit(f);
                }
                if ((f0.flags & NPLUS1_KEY_LOOKUP) && !(f0.flags & NPLUS1_BATCHED)) {
                    long j = find_parent(ev, b, idx[r0], f0.queryid, cfg.min_repeats);
                    if (j >= 0) n_plus_one_bursts(ev, size_t(j), e, f0.queryid, cfg, s.hashes, out);
                }
            }
        }
        r0 = r1;
    }
}


// ---- the rate rule (see nplus1/detector.h) ----

constexpr int kRateMaxParents = 8;

struct RateParent {
    size_t r0, r1;  // its top-level executions in idx
    int64_t big;    // executions that returned at least min_repeats rows
};

bool is_rate_child(const Nplus1Event& x) {
    return x.nesting == 0 && (x.flags & NPLUS1_SELECT) && (x.flags & NPLUS1_HAS_TABLE) && (x.flags & NPLUS1_KEY_LOOKUP) &&
           !(x.flags & NPLUS1_BATCHED) && !(x.flags & NPLUS1_SKIP_LOCKED);
}

// Latest execution of the parent (positions idx[r0..r1), ascending) before
// position x; -1 if none.
long parent_before(const Nplus1Event* ev, const uint32_t* idx, const RateParent& p, uint32_t x) {
    const uint32_t* lo = idx + p.r0;
    const uint32_t* hi = idx + p.r1;
    const uint32_t* it = std::lower_bound(lo, hi, x);
    (void) ev;
    return it == lo ? -1 : long(*(it - 1));
}

// Child executions idx[c0..c1) anchored on big executions of parent p: how
// many, and the rows and number of those parent executions before the last
// child execution.
void rate_of(const Nplus1Event* ev, const uint32_t* idx, size_t c0, size_t c1, const RateParent& p, int min_rows,
             int64_t* children, int64_t* rows, int64_t* parents) {
    *children = 0;
    for (size_t k = c0; k < c1; k++) {
        long a = parent_before(ev, idx, p, idx[k]);
        if (a >= 0 && ev[a].rows >= min_rows) ++*children;
    }
    *rows = 0;
    *parents = 0;
    const uint32_t last = idx[c1 - 1];
    for (size_t k = p.r0; k < p.r1 && idx[k] < last; k++) {
        if (ev[idx[k]].rows < min_rows) continue;
        *rows += ev[idx[k]].rows;
        ++*parents;
    }
}

bool has_burst_finding(const Out* out, size_t upto, uint64_t q) {
    for (size_t i = 0; i < upto; i++)
        if (out->out[i].kind == Nplus1Kind::Nplus1 && out->out[i].queryid == q) return true;
    return false;
}

void rate_rule(const Nplus1Event* ev, size_t n, const Nplus1Config& cfg, Nplus1Scratch s, Out* out) {
    if (cfg.rate_min_parents < 1 || n == 0) return;
    uint32_t* idx = s.idx;
    sort_by_fingerprint(ev, 0, n, idx);
    // Parent candidates: top-level SELECTs with enough executions that
    // returned min_repeats rows (the kRateMaxParents most frequent).
    RateParent parents[kRateMaxParents];
    int np = 0;
    for (size_t r0 = 0; r0 < n;) {
        size_t r1 = run_end(ev, idx, r0, n);
        const Nplus1Event& f0 = ev[idx[r0]];
        if (f0.nesting == 0 && (f0.flags & NPLUS1_SELECT) && f0.queryid != 0) {
            int64_t big = 0;
            for (size_t k = r0; k < r1; k++) big += ev[idx[k]].rows >= cfg.min_repeats;
            if (big >= cfg.rate_min_parents) {
                RateParent c{r0, r1, big};
                if (np < kRateMaxParents) {
                    parents[np++] = c;
                } else {
                    int low = 0;
                    for (int i = 1; i < np; i++)
                        if (parents[i].big < parents[low].big) low = i;
                    if (parents[low].big < big) parents[low] = c;
                }
            }
        }
        r0 = r1;
    }
    if (np == 0) return;
    const size_t burst_findings = out->n;
    for (size_t c0 = 0; c0 < n;) {
        size_t c1 = run_end(ev, idx, c0, n);
        const Nplus1Event& f0 = ev[idx[c0]];
        const size_t count = c1 - c0;
        size_t next = c1;
        if (count < size_t(cfg.min_repeats) || f0.queryid == 0 || !is_rate_child(f0) ||
            has_burst_finding(out, burst_findings, f0.queryid)) {
            c0 = next;
            continue;
        }
        // Spread over pooled connections, mostly distinct parameters overall.
        bool spread = false;
        for (size_t k = c0 + 1; k < c1 && !spread; k++) spread = ev[idx[k]].backend != f0.backend;
        for (size_t k = c0; k < c1; k++) s.hashes[k - c0] = ev[idx[k]].param_hash;
        int64_t distinct = distinct_of(s.hashes, count, nullptr);
        if (!spread || !mostly_distinct(distinct, int64_t(count))) {
            c0 = next;
            continue;
        }
        // The parent whose rows the child's executions track best.
        int best = -1;
        double best_dev = 0;
        for (int i = 0; i < np; i++) {
            if (ev[idx[parents[i].r0]].queryid == f0.queryid) continue;
            int64_t children, rows, pexecs;
            rate_of(ev, idx, c0, c1, parents[i], cfg.min_repeats, &children, &rows, &pexecs);
            if (pexecs < cfg.rate_min_parents || children < cfg.min_repeats || rows <= 0) continue;
            double ratio = double(children) / double(rows);
            if (ratio < cfg.rate_min_ratio || ratio > cfg.rate_max_ratio) continue;
            double dev = ratio >= 1 ? ratio : 1 / ratio;
            if (best < 0 || dev < best_dev) {
                best = i;
                best_dev = dev;
            }
        }
        if (best >= 0) {
            // One occurrence per anchoring parent execution followed by at
            // least two of the child's executions.
            const RateParent& p = parents[best];
            long anchor = -1;
            size_t k = c0;
            while (k < c1) {
                long a = parent_before(ev, idx, p, idx[k]);
                size_t e = k + 1;
                while (e < c1 && parent_before(ev, idx, p, idx[e]) == a) e++;
                anchor = a;
                if (anchor >= 0 && ev[anchor].rows >= cfg.min_repeats && e - k >= 2) {
                    double time_ms = 0;
                    for (size_t t = k; t < e; t++) {
                        s.hashes[t - k] = ev[idx[t]].param_hash;
                        time_ms += ev[idx[t]].exec_ms;
                    }
                    int64_t d = distinct_of(s.hashes, e - k, nullptr);
                    const Nplus1Event& last = ev[idx[e - 1]];
                    out->emit(lookup_occurrence(ev, anchor, last, ev[idx[k]].seq, int64_t(e - k), d, time_ms,
                                                last.ts_us, true));
                }
                k = e;
            }
        }
        c0 = next;
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
        bool by_rate = false;
        for (size_t t = 0; t < m; t++) {
            kids[t] = f[members[t]].children[0];
            by_rate = by_rate || f[members[t]].by_rate;
        }
        std::sort(kids, kids + m, [](const Nplus1Child& a, const Nplus1Child& b) { return a.first_seq < b.first_seq; });
        const Nplus1Finding proto = f[i];
        size_t slot = 0;
        for (size_t c = 0; c < m; c += kNplus1MaxChildren, slot++) {
            Nplus1Finding g = proto;
            g.by_rate = by_rate;
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

size_t nplus1_detect(const Nplus1Event* events, size_t n, const Nplus1Config& cfg, Nplus1Scratch scratch,
                 Nplus1Finding* out, size_t out_cap) noexcept {
    Out o{out, out_cap};
    if (cfg.min_repeats < 2) return 0;
    size_t b = 0;
    int64_t last_end = 0;
    for (size_t i = 0; i < n; i++) {
        const Nplus1Event& x = events[i];
        int64_t end = x.ts_us + int64_t(double(x.exec_ms) * 1000.0);
        if (i > b && x.ts_us - last_end > cfg.idle_gap_us) {
            detect_unit(events, b, i, cfg, scratch, &o);
            b = i;
            last_end = end;
        } else {
            last_end = std::max(last_end, end);
        }
        if (i == 0) last_end = end;
    }
    if (n > b) detect_unit(events, b, n, cfg, scratch, &o);
    rate_rule(events, n, cfg, scratch, &o);
    merge_children(&o);
    return o.n;
}

}  // namespace pothos::core
