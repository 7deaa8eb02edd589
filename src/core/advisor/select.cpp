// advisor/select.cpp -- see advisor/select.h.
#include "core/advisor/select.h"

#include <algorithm>
#include <map>

#include "core/advisor/cost.h"

namespace pothos::core::advisor {

namespace {

class Pricer {
public:
    Pricer(const SelectionInput& in, const CostOracle& oracle) : in_(in), oracle_(oracle) {}

    bool touches(size_t stmt, uint32_t relid) const {
        const auto& r = in_.statements[stmt].relids;
        return std::find(r.begin(), r.end(), relid) != r.end();
    }

    // Cost of stmt with the members of set that are on relations it reads.
    double cost(const std::vector<size_t>& set, size_t stmt) {
        std::vector<size_t> relevant;
        for (size_t c : set)
            if (touches(stmt, in_.candidates[c].shape.relid)) relevant.push_back(c);
        std::sort(relevant.begin(), relevant.end());
        auto key = std::make_pair(stmt, relevant);
        auto it = cache_.find(key);
        if (it != cache_.end()) return it->second;
        double v = oracle_(relevant, stmt);
        cache_.emplace(std::move(key), v);
        return v;
    }

    // Weight of one cost unit of statement s (plan cost t today): ms per
    // unit (its measured time spread over its plan cost), or its calls.
    double weight(size_t s, double t) const {
        const SelectStatement& st = in_.statements[s];
        return st.exec_ms > 0 && st.calls > 0 ? st.exec_ms / t : st.calls;
    }

    // What the members of set on relid save the statements reading relid,
    // less what their writes cost; *left: what those statements still cost,
    // *today: what they cost without a new index.
    double net_saving(const std::vector<size_t>& set, uint32_t relid, double* left, double* today) {
        double v = 0;
        *left = *today = 0;
        for (size_t s = 0; s < in_.statements.size(); s++) {
            if (!touches(s, relid)) continue;
            double t = cost({}, s), a = cost(set, s);
            if (t <= 0 || a < 0) continue;
            *left += weight(s, t) * std::min(a, t);
            *today += weight(s, t) * t;
            if (a < t) v += weight(s, t) * (t - a);
        }
        for (size_t c : set)
            if (in_.candidates[c].shape.relid == relid) v -= in_.write_cost[c];
        return v;
    }

    // Choice of c on top of `others`: the statements whose cost c lowers,
    // its saving (calls x reduction) and its share of their cost today.
    Choice price(size_t c, const std::vector<size_t>& others, double min_gain) {
        Choice ch;
        ch.candidate = c;
        std::vector<size_t> with = others;
        with.push_back(c);
        std::vector<double> calls, today, after;
        double today_total = 0, current_total = 0;
        for (size_t s = 0; s < in_.statements.size(); s++) {
            if (!touches(s, in_.candidates[c].shape.relid)) continue;
            double b = cost(others, s);
            double a = cost(with, s);
            double t = cost({}, s);
            if (b <= 0 || a < 0 || t <= 0 || a >= b * (1.0 - min_gain)) continue;
            double n = weight(s, t);
            ch.statements.push_back(s);
            calls.push_back(in_.statements[s].calls);
            today.push_back(t);
            after.push_back(a);
            ch.saving += n * (b - a);
            today_total += n * t;
            current_total += n * b;
        }
        ch.cost_before = weighted_mean(calls, today);
        ch.cost_after = weighted_mean(calls, after);
        ch.write_cost = in_.write_cost[c];
        ch.improvement_pct = today_total > 0 ? 100.0 * ch.saving / today_total : 0;
        ch.gain_pct = current_total > 0 ? 100.0 * ch.saving / current_total : 0;
        return ch;
    }

private:
    const SelectionInput& in_;
    const CostOracle& oracle_;
    std::map<std::pair<size_t, std::vector<size_t>>, double> cache_;
};

bool pays(const SelectionInput& in, const Choice& ch, const SelectOptions& o) {
    bool breaks_hot = ch.candidate < in.breaks_hot.size() && in.breaks_hot[ch.candidate];
    double pct = breaks_hot ? ch.improvement_pct : ch.gain_pct;
    return !ch.statements.empty() && ch.saving > ch.write_cost && pct >= o.min_improvement_pct;
}

// A chosen index that `wider` (also chosen) serves is no longer needed.
void drop_served(const SelectionInput& in, size_t wider, std::vector<size_t>* chosen) {
    std::vector<size_t> kept;
    for (size_t k : *chosen)
        if (k == wider || !serves(in.candidates[wider].shape, in.candidates[k].shape)) kept.push_back(k);
    *chosen = std::move(kept);
}

}  // namespace

std::vector<Choice> select_indexes(const SelectionInput& in, const CostOracle& oracle,
                                   const SelectOptions& options) {
    Pricer pricer(in, oracle);
    const size_t n = in.candidates.size();
    std::vector<bool> dead(n, false), existing(n, false);
    for (size_t c = 0; c < n; c++)
        for (const IndexShape& e : in.existing)
            if (serves(e, in.candidates[c].shape)) dead[c] = existing[c] = true;

    std::vector<size_t> chosen;
    while (chosen.size() < options.max_indexes) {
        double best_score = 0;
        size_t best = n;
        for (size_t c = 0; c < n; c++) {
            if (dead[c]) continue;
            bool served = false;
            for (size_t k : chosen) served = served || serves(in.candidates[k].shape, in.candidates[c].shape);
            if (served) {
                dead[c] = true;
                continue;
            }
            Choice ch = pricer.price(c, chosen, options.min_statement_gain);
            if (!pays(in, ch, options)) continue;
            double score = (ch.saving - ch.write_cost) / std::max(1.0, in.bytes[c]);
            if (best == n || score > best_score) {
                best = c;
                best_score = score;
            }
        }
        if (best == n) break;
        dead[best] = true;
        chosen.push_back(best);
        drop_served(in, best, &chosen);
    }

    // Refinement: a chosen index is swapped for a candidate of its table with
    // the same leading key when the table's indexes then save more, net of
    // their writes, by min_improvement_pct of what the table's statements
    // still cost (of what they cost today if the swap would make HOT updates
    // non-HOT): the greedy step prefers the smaller of two indexes that
    // serve the same statements, and a wider one chosen instead may serve
    // more of them.
    for (size_t i = 0; i < chosen.size(); i++) {
        const IndexShape& mine = in.candidates[chosen[i]].shape;
        uint32_t relid = mine.relid;
        double left = 0, today = 0;
        double best_net = pricer.net_saving(chosen, relid, &left, &today);
        bool hot_now = chosen[i] < in.breaks_hot.size() && in.breaks_hot[chosen[i]];
        size_t best = n;
        for (size_t c = 0; c < n; c++) {
            const IndexShape& other = in.candidates[c].shape;
            if (existing[c] || other.relid != relid || !same_key(other.keys[0], mine.keys[0]) ||
                std::find(chosen.begin(), chosen.end(), c) != chosen.end())
                continue;
            std::vector<size_t> trial = chosen;
            trial[i] = c;
            double trial_left = 0, trial_today = 0;
            double net = pricer.net_saving(trial, relid, &trial_left, &trial_today);
            // As for a candidate of the greedy step: one that would make
            // updates that are HOT today non-HOT must gain the threshold's
            // share of today's cost, not of what is left.
            bool breaks = c < in.breaks_hot.size() && in.breaks_hot[c] && !hot_now;
            double margin = options.min_improvement_pct / 100.0 * (breaks ? today : left);
            if (net > best_net + margin) {
                best_net = net;
                best = c;
            }
        }
        if (best == n) continue;
        chosen[i] = best;
        drop_served(in, best, &chosen);
        i = static_cast<size_t>(-1);  // the set changed: again from the first (each swap saves more: this ends)
    }

    // Marginal benefit of each in the final set; drop those that no longer
    // pay, one at a time (the least saving first), until all do.
    for (;;) {
        std::vector<Choice> out;
        size_t worst = chosen.size();
        double worst_saving = 0;
        for (size_t i = 0; i < chosen.size(); i++) {
            std::vector<size_t> others;
            for (size_t j = 0; j < chosen.size(); j++)
                if (j != i) others.push_back(chosen[j]);
            Choice ch = pricer.price(chosen[i], others, options.min_statement_gain);
            if (!pays(in, ch, options) && (worst == chosen.size() || ch.saving < worst_saving)) {
                worst = i;
                worst_saving = ch.saving;
            }
            out.push_back(std::move(ch));
        }
        if (worst == chosen.size()) return out;
        chosen.erase(chosen.begin() + static_cast<long>(worst));
    }
}

}  // namespace pothos::core::advisor
