// advisor/model.cpp -- see advisor/model.h.
#include "core/advisor/model.h"

namespace pothos::core::advisor {

bool operator==(const IndexKey& a, const IndexKey& b) {
    return same_key(a, b) && a.desc == b.desc && a.nulls_first == b.nulls_first && a.pattern_ops == b.pattern_ops;
}

bool same_key(const IndexKey& a, const IndexKey& b) { return a.attnum == b.attnum && a.expr == b.expr; }

IndexKey key_of_use(const ColumnUse& u, bool pattern_ops) {
    IndexKey k;
    k.attnum = u.attnum;
    k.name = u.name;
    k.pattern_ops = pattern_ops;
    k.expr = u.expr;
    k.expr_attnums = u.expr_attnums;
    return k;
}

std::vector<int16_t> shape_columns(const IndexShape& s) {
    std::vector<int16_t> cols;
    for (const auto* keys : {&s.keys, &s.include})
        for (const IndexKey& k : *keys) {
            if (k.attnum != 0) cols.push_back(k.attnum);
            cols.insert(cols.end(), k.expr_attnums.begin(), k.expr_attnums.end());
        }
    cols.insert(cols.end(), s.predicate_attnums.begin(), s.predicate_attnums.end());
    return cols;
}

namespace {

bool returns_key(const IndexShape& s, const IndexKey& k) {
    for (const auto* keys : {&s.keys, &s.include})
        for (const IndexKey& x : *keys)
            if (same_key(x, k)) return true;
    return false;
}

}  // namespace

bool serves(const IndexShape& wide, const IndexShape& narrow) {
    if (wide.relid != narrow.relid || narrow.keys.size() > wide.keys.size()) return false;
    if (!wide.predicate.empty() && wide.predicate != narrow.predicate) return false;
    for (size_t i = 0; i < narrow.keys.size(); i++) {
        const IndexKey& a = wide.keys[i];
        const IndexKey& b = narrow.keys[i];
        if (!same_key(a, b) || a.pattern_ops != b.pattern_ops) return false;
        // A btree scans both ways: (a, b DESC) serves (a DESC, b) too, and a
        // single column serves either direction.
        bool flip0 = wide.keys[0].desc != narrow.keys[0].desc;
        if ((a.desc != b.desc) != flip0) return false;
        if ((a.nulls_first != b.nulls_first) != flip0) return false;
    }
    for (const IndexKey& k : narrow.include)
        if (!returns_key(wide, k)) return false;
    return true;
}

std::string shape_id(const IndexShape& s) {
    std::string id = std::to_string(s.relid) + ":";
    for (const IndexKey& k : s.keys) {
        id += k.expr.empty() ? std::to_string(k.attnum) : "(" + k.expr + ")";
        if (k.desc) id += "d";
        if (k.nulls_first) id += "f";
        if (k.pattern_ops) id += "p";
        id += ",";
    }
    if (!s.include.empty()) {
        id += "+";
        for (const IndexKey& k : s.include) id += std::to_string(k.attnum) + ",";
    }
    return id + "|" + s.predicate;
}

std::string shape_sql(const IndexShape& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.keys.size(); i++) {
        const IndexKey& k = s.keys[i];
        if (i) out += ", ";
        out += k.expr.empty() ? k.name : "(" + k.expr + ")";
        if (k.pattern_ops) out += " text_pattern_ops";
        if (k.desc) out += " DESC";
        if (k.nulls_first && !k.desc) out += " NULLS FIRST";
        if (!k.nulls_first && k.desc) out += " NULLS LAST";
    }
    out += ")";
    if (!s.include.empty()) {
        out += " INCLUDE (";
        for (size_t i = 0; i < s.include.size(); i++) out += (i ? ", " : "") + s.include[i].name;
        out += ")";
    }
    if (!s.predicate.empty()) out += " WHERE " + s.predicate;
    return out;
}

}  // namespace pothos::core::advisor
