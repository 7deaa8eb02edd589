// advisor/candidates.cpp -- see advisor/candidates.h.
#include "core/advisor/candidates.h"

#include <algorithm>
#include <map>

namespace pothos::core::advisor {

namespace {

bool equality_like(UseKind k) { return k == UseKind::Eq || k == UseKind::In || k == UseKind::JoinKey; }
bool range_like(UseKind k) { return k == UseKind::Range || k == UseKind::Like; }
bool constant_predicate(UseKind k) {
    return k == UseKind::IsNull || k == UseKind::NotNull || k == UseKind::BoolTrue || k == UseKind::BoolFalse;
}

// Fraction of the rows an equality on the column keeps: 1 / distinct values
// when the statistics know them (the observed filter counts belong to the
// whole filter of a scan, not to one column), else the observed fraction;
// join keys without either count as selective lookups.
double kept_fraction(const ColumnUse& u) {
    if (u.distinct >= 1) return 1.0 / u.distinct;
    double seen = u.returned + u.filtered;
    if (u.kind == UseKind::JoinKey || seen <= 0) return 0.001;
    return u.returned / seen;
}

std::string predicate_sql(const ColumnUse& u) {
    switch (u.kind) {
    case UseKind::IsNull: return u.name + " IS NULL";
    case UseKind::NotNull: return u.name + " IS NOT NULL";
    case UseKind::BoolTrue: return u.name;
    case UseKind::BoolFalse: return "NOT " + u.name;
    default: return std::string();
    }
}

IndexKey key_of(const ColumnUse& u, bool pattern_ops) { return key_of_use(u, pattern_ops); }

bool same_use(const ColumnUse& a, const ColumnUse& b) { return a.attnum == b.attnum && a.expr == b.expr; }

std::string percent_filtered(const ColumnUse& u) {
    double seen = u.returned + u.filtered;
    if (seen <= 0) return std::string();
    int pct = static_cast<int>(100.0 * u.filtered / seen);
    return " (" + std::to_string(pct) + "% of rows filtered)";
}

class Builder {
public:
    explicit Builder(const CandidateOptions& o) : opt_(o) {}

    void add(uint32_t relid, std::vector<IndexKey> keys, const std::string& pred,
             const std::vector<int16_t>& pred_cols, uint64_t queryid, const std::string& reason,
             std::vector<IndexKey> include = {}) {
        if (keys.empty()) return;
        if (keys.size() > opt_.max_columns) keys.resize(opt_.max_columns);
        // Normalise the direction: the first key ascending (a btree scans both ways).
        if (keys[0].desc) {
            for (IndexKey& k : keys) {
                k.desc = !k.desc;
                k.nulls_first = !k.nulls_first;
            }
        }
        IndexShape s;
        s.relid = relid;
        s.keys = std::move(keys);
        s.include = std::move(include);
        s.predicate = pred;
        s.predicate_attnums = pred_cols;
        std::string id = shape_id(s);
        auto it = index_.find(id);
        if (it == index_.end()) {
            index_.emplace(id, out_.size());
            Candidate c;
            c.shape = std::move(s);
            out_.push_back(std::move(c));
            it = index_.find(id);
        }
        Candidate& c = out_[it->second];
        if (std::find(c.queryids.begin(), c.queryids.end(), queryid) == c.queryids.end())
            c.queryids.push_back(queryid);
        if (std::find(c.reasons.begin(), c.reasons.end(), reason) == c.reasons.end())
            c.reasons.push_back(reason);
    }

    std::vector<Candidate> take() { return std::move(out_); }

private:
    const CandidateOptions& opt_;
    std::vector<Candidate> out_;
    std::map<std::string, size_t> index_;
};

std::string names(const std::vector<IndexKey>& keys) {
    std::string s;
    for (size_t i = 0; i < keys.size(); i++) s += (i ? ", " : "") + keys[i].name;
    return s;
}

void from_relation(Builder& b, const RelationUse& rel, uint64_t queryid, const CandidateOptions& opt) {
    std::vector<const ColumnUse*> eq, range, order, preds, outputs;
    bool whole_row = false;
    for (const ColumnUse& u : rel.uses) {
        if (equality_like(u.kind)) {
            bool dup = false;
            for (const ColumnUse* e : eq) dup = dup || same_use(*e, u);
            if (!dup) eq.push_back(&u);
        } else if (range_like(u.kind)) {
            bool dup = false;
            for (const ColumnUse* r : range) dup = dup || (same_use(*r, u) && r->kind == u.kind);
            if (!dup) range.push_back(&u);
        } else if (u.kind == UseKind::OrderBy) {
            order.push_back(&u);
        } else if (constant_predicate(u.kind)) {
            preds.push_back(&u);
        } else if (u.kind == UseKind::Output) {
            if (u.attnum <= 0) whole_row = true;
            else outputs.push_back(&u);
        }
    }
    std::stable_sort(eq.begin(), eq.end(), [](const ColumnUse* a, const ColumnUse* b) {
        double fa = kept_fraction(*a), fb = kept_fraction(*b);
        if (fa != fb) return fa < fb;
        return a->attnum < b->attnum;
    });
    std::stable_sort(order.begin(), order.end(),
                     [](const ColumnUse* a, const ColumnUse* b) { return a->pos < b->pos; });
    auto pattern = [&](const ColumnUse* u) { return u->kind == UseKind::Like && opt.like_needs_pattern_ops; };

    // Singles.
    for (const ColumnUse* u : eq) {
        std::string why = u->kind == UseKind::JoinKey ? "join key " + u->name
                                                      : std::string(use_kind_name(u->kind)) + " on " + u->name +
                                                            percent_filtered(*u);
        b.add(rel.relid, {key_of(*u, false)}, "", {}, queryid, why);
    }
    for (const ColumnUse* u : range)
        b.add(rel.relid, {key_of(*u, pattern(u))}, "", {}, queryid,
              std::string(use_kind_name(u->kind)) + " on " + u->name + percent_filtered(*u));

    std::vector<IndexKey> eq_keys;
    for (const ColumnUse* u : eq) eq_keys.push_back(key_of(*u, false));
    if (eq_keys.size() > opt.max_columns - 1 && !range.empty()) eq_keys.resize(opt.max_columns - 1);

    // Equality columns together, both orders when there are two.
    if (eq_keys.size() >= 2) {
        b.add(rel.relid, eq_keys, "", {}, queryid, "equality on " + names(eq_keys));
        if (eq_keys.size() == 2)
            b.add(rel.relid, {eq_keys[1], eq_keys[0]}, "", {}, queryid, "equality on " + names(eq_keys));
    }
    std::vector<IndexKey> widest = eq_keys;
    // Equality columns, then one range column.
    if (!eq_keys.empty()) {
        for (size_t i = 0; i < range.size() && i < 2; i++) {
            std::vector<IndexKey> k = eq_keys;
            k.push_back(key_of(*range[i], pattern(range[i])));
            b.add(rel.relid, k, "", {}, queryid,
                  "equality on " + names(eq_keys) + ", then " + use_kind_name(range[i]->kind) + " on " +
                      range[i]->name);
            if (i == 0) widest = k;
        }
    }
    // ORDER BY ... LIMIT: equality columns then the sort columns.
    std::vector<IndexKey> order_keys;
    for (const ColumnUse* u : order) {
        bool is_eq = false;
        for (const ColumnUse* e : eq) is_eq = is_eq || same_use(*e, *u);
        if (is_eq) continue;  // constant within the result: sorting on it is free
        IndexKey k = key_of(*u, false);
        k.desc = (u->flags & kFlagDesc) != 0;
        k.nulls_first = (u->flags & kFlagNullsFirst) != 0;
        order_keys.push_back(k);
    }
    // After equality columns the sort columns may be read backwards: make the
    // first one ascending.
    if (!order_keys.empty() && order_keys[0].desc) {
        for (IndexKey& k : order_keys) {
            k.desc = !k.desc;
            k.nulls_first = !k.nulls_first;
        }
    }
    // A LIKE prefix on the first sort column: the rows it keeps are
    // contiguous in that order, so a scan in that order reads every row
    // before them (the planner, taking them as spread out, expects a few);
    // such ordered shapes are left out, the prefix's own index serves.
    for (const ColumnUse* r : range)
        if (r->kind == UseKind::Like && !order_keys.empty() && same_key(order_keys[0], key_of(*r, false)))
            order_keys.clear();
    if (!order_keys.empty()) {
        std::vector<IndexKey> k = eq_keys;
        k.insert(k.end(), order_keys.begin(), order_keys.end());
        std::string why = "ORDER BY " + names(order_keys) + " LIMIT";
        if (!eq_keys.empty()) {
            b.add(rel.relid, k, "", {}, queryid, "equality on " + names(eq_keys) + ", then " + why);
            if (k.size() > widest.size()) widest = k;
        }
        b.add(rel.relid, order_keys, "", {}, queryid, why);
        if (widest.empty()) widest = order_keys;
    }
    // Partial indexes for constant predicates.
    for (const ColumnUse* p : preds) {
        std::vector<IndexKey> k;
        for (const IndexKey& x : widest)
            if (x.attnum != p->attnum || !x.expr.empty()) k.push_back(x);
        if (k.empty()) continue;
        std::string pred = predicate_sql(*p);
        b.add(rel.relid, k, pred, {p->attnum}, queryid,
              names(k) + " for the constant predicate " + pred + percent_filtered(*p));
    }
    // The widest shape with the other columns the statement reads as INCLUDE
    // columns: an index-only scan needs no heap access for rows whose page
    // is all-visible.
    if (whole_row || widest.empty() || outputs.empty()) return;
    std::vector<IndexKey> include;
    double width = 0;
    for (const ColumnUse* o : outputs) {
        bool in_key = false;
        for (const IndexKey& x : widest) in_key = in_key || (x.expr.empty() && x.attnum == o->attnum);
        for (const IndexKey& x : include) in_key = in_key || x.attnum == o->attnum;
        if (in_key) continue;
        include.push_back(key_of(*o, false));
        width += o->width > 0 ? o->width : 8;
    }
    bool plain_keys = true;  // an index-only scan cannot return an expression's columns
    for (const IndexKey& x : widest) plain_keys = plain_keys && x.expr.empty() && !x.pattern_ops;
    if (!plain_keys || include.empty() || include.size() > opt.max_include || width > opt.max_include_width) return;
    b.add(rel.relid, widest, "", {}, queryid, names(widest) + " including " + names(include) + " (index-only scan)",
          include);
}

}  // namespace

std::vector<Candidate> generate_candidates(const std::vector<StatementUse>& statements,
                                           const CandidateOptions& options) {
    Builder b(options);
    for (const StatementUse& s : statements)
        for (const RelationUse& r : s.relations) from_relation(b, r, s.queryid, options);
    return b.take();
}

}  // namespace pothos::core::advisor
