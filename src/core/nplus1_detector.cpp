// nplus1_detector.cpp -- see nplus1_detector.h.
#include "core/nplus1_detector.h"

#include <algorithm>

namespace pothos::core {

const char* np_kind_name(NpKind k) noexcept {
    switch (k) {
        case NpKind::NPlusOne: return "n_plus_one";
        case NpKind::DuplicateQuery: return "duplicate_query";
        case NpKind::RowByRowDml: return "row_by_row_dml";
        case NpKind::ServerSideLoop: return "server_side_loop";
    }
    return "unknown";
}

namespace {

struct Out {
    NpFinding* out;
    size_t cap;
    size_t n = 0;
    void emit(const NpFinding& f) {
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

bool is_parent_candidate(const NpEvent& e, uint64_t child, int min_repeats) {
    return e.queryid != child && e.nesting == 0 && (e.flags & NP_SELECT) && e.rows >= min_repeats;
}

// Latest parent candidate before position first, in [b, first).
long find_parent(const NpEvent* ev, size_t b, size_t first, uint64_t child, int min_repeats) {
    for (size_t k = first; k > b; k--)
        if (is_parent_candidate(ev[k - 1], child, min_repeats)) return long(k - 1);
    return -1;
}

NpFinding base(NpKind kind, const NpEvent& child) {
    NpFinding f{};
    f.kind = kind;
    f.queryid = child.queryid;
    f.userid = child.userid;
    f.dbid = child.dbid;
    f.flags = child.flags;
    return f;
}

// Lookups of fingerprint q after parent position j, split into bursts at
// each execution of the parent's fingerprint.
void n_plus_one_bursts(const NpEvent* ev, size_t j, size_t e, uint64_t q, const NpConfig& cfg,
                       uint64_t* hashes, Out* out) {
    const uint64_t p = ev[j].queryid;
    long anchor = -1;
    size_t count = 0;
    double time_ms = 0;
    int64_t last_ts = 0;
    const NpEvent* proto = nullptr;
    auto close = [&]() {
        if (anchor >= 0 && count >= size_t(cfg.min_repeats)) {
            int64_t distinct = distinct_of(hashes, count, nullptr);
            if (mostly_distinct(distinct, int64_t(count))) {
                NpFinding f = base(NpKind::NPlusOne, *proto);
                f.parent_queryid = p;
                f.anchor = ev[anchor].seq;
                f.repeats = int64_t(count);
                f.distinct_params = distinct;
                f.time_ms = time_ms;
                f.parent_rows = ev[anchor].rows;
                f.last_ts_us = last_ts;
                out->emit(f);
            }
        }
        anchor = -1;
        count = 0;
        time_ms = 0;
    };
    for (size_t k = j; k < e; k++) {
        const NpEvent& x = ev[k];
        if (x.nesting != 0) continue;
        if (x.queryid == p) {
            close();
            if (x.rows >= cfg.min_repeats) anchor = long(k);
        } else if (x.queryid == q && anchor >= 0) {
            hashes[count++] = x.param_hash;
            time_ms += x.exec_ms;
            last_ts = x.ts_us;
            proto = &x;
        }
    }
    close();
}

void server_side_loops(const NpEvent* ev, size_t b, size_t e, uint32_t* idx, size_t r0, size_t r1,
                       const NpConfig& cfg, uint64_t* hashes, Out* out) {
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
            const NpEvent& first = ev[idx[s]];
            const NpEvent& last = ev[idx[t - 1]];
            double time_ms = 0;
            for (size_t k = s; k < t; k++) {
                hashes[k - s] = ev[idx[k]].param_hash;
                time_ms += ev[idx[k]].exec_ms;
            }
            NpFinding f = base(NpKind::ServerSideLoop, first);
            f.anchor = first.seq;
            for (size_t k = idx[t - 1] + 1; k < e; k++) {
                const NpEvent& o = ev[k];
                if (o.nesting == 0 && o.backend == first.backend && o.ts_us == first.ts_us) {
                    f.parent_queryid = o.queryid;
                    f.anchor = o.seq;
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

void detect_unit(const NpEvent* ev, size_t b, size_t e, const NpConfig& cfg, NpScratch s, Out* out) {
    size_t m = e - b;
    uint32_t* idx = s.idx;
    for (size_t i = 0; i < m; i++) idx[i] = uint32_t(b + i);
    std::sort(idx, idx + m, [ev](uint32_t a, uint32_t c) {
        if (ev[a].queryid != ev[c].queryid) return ev[a].queryid < ev[c].queryid;
        bool na = ev[a].nesting != 0, nc = ev[c].nesting != 0;
        if (na != nc) return nc;
        return a < c;
    });
    size_t first_out = out->n;
    size_t r0 = 0;
    while (r0 < m) {
        const NpEvent& f0 = ev[idx[r0]];
        size_t r1 = r0 + 1;
        while (r1 < m && ev[idx[r1]].queryid == f0.queryid && (ev[idx[r1]].nesting != 0) == (f0.nesting != 0))
            r1++;
        size_t count = r1 - r0;
        if (count >= size_t(cfg.min_repeats) && f0.queryid != 0) {
            if (f0.nesting != 0) {
                server_side_loops(ev, b, e, idx, r0, r1, cfg, s.hashes, out);
            } else if (f0.flags & NP_DML) {
                bool single = true;
                double time_ms = 0;
                for (size_t k = r0; k < r1; k++) {
                    const NpEvent& x = ev[idx[k]];
                    single = single && (x.flags & NP_SINGLE_ROW) && x.rows <= 1;
                    s.hashes[k - r0] = x.param_hash;
                    time_ms += x.exec_ms;
                }
                if (single) {
                    NpFinding f = base(NpKind::RowByRowDml, f0);
                    long j = find_parent(ev, b, idx[r0], f0.queryid, cfg.min_repeats);
                    if (j >= 0) {
                        f.parent_queryid = ev[j].queryid;
                        f.parent_rows = ev[j].rows;
                    }
                    f.anchor = f0.seq;
                    f.repeats = int64_t(count);
                    f.distinct_params = distinct_of(s.hashes, count, nullptr);
                    f.time_ms = time_ms;
                    f.last_ts_us = ev[idx[r1 - 1]].ts_us;
                    out->emit(f);
                }
            } else if ((f0.flags & NP_SELECT) && (f0.flags & NP_HAS_TABLE) && !(f0.flags & NP_SKIP_LOCKED)) {
                double time_ms = 0;
                for (size_t k = r0; k < r1; k++) {
                    s.hashes[k - r0] = ev[idx[k]].param_hash;
                    time_ms += ev[idx[k]].exec_ms;
                }
                int64_t max_same = 0;
                int64_t distinct = distinct_of(s.hashes, count, &max_same);
                if (max_same >= cfg.min_repeats) {
                    NpFinding f = base(NpKind::DuplicateQuery, f0);
                    f.anchor = f0.seq;
                    f.repeats = int64_t(count);
                    f.distinct_params = distinct;
                    f.time_ms = time_ms;
                    f.last_ts_us = ev[idx[r1 - 1]].ts_us;
                    out->emit(f);
                }
                if ((f0.flags & NP_KEY_LOOKUP) && !(f0.flags & NP_BATCHED)) {
                    long j = find_parent(ev, b, idx[r0], f0.queryid, cfg.min_repeats);
                    if (j >= 0) n_plus_one_bursts(ev, size_t(j), e, f0.queryid, cfg, s.hashes, out);
                }
            }
        }
        r0 = r1;
    }
    // Children of the same parent execution are siblings.
    for (size_t i = first_out; i < out->n; i++) {
        NpFinding& f = out->out[i];
        if (f.kind != NpKind::NPlusOne) continue;
        for (size_t k = first_out; k < out->n; k++)
            if (k != i && out->out[k].kind == NpKind::NPlusOne && out->out[k].anchor == f.anchor) f.siblings++;
    }
}

}  // namespace

size_t np_detect(const NpEvent* events, size_t n, const NpConfig& cfg, NpScratch scratch,
                 NpFinding* out, size_t out_cap) noexcept {
    Out o{out, out_cap};
    if (cfg.min_repeats < 2) return 0;
    size_t b = 0;
    int64_t last_end = 0;
    for (size_t i = 0; i < n; i++) {
        const NpEvent& x = events[i];
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
    return o.n;
}

}  // namespace pothos::core
