// advisor/model.cpp -- see advisor/model.h.
#include "core/advisor/model.h"

namespace pothos::core::advisor {

bool operator==(const IndexKey& a, const IndexKey& b) {
    return a.attnum == b.attnum && a.desc == b.desc && a.nulls_first == b.nulls_first &&
           a.pattern_ops == b.pattern_ops;
}

bool serves(const IndexShape& wide, const IndexShape& narrow) {
    if (wide.relid != narrow.relid || narrow.keys.size() > wide.keys.size()) return false;
    if (!wide.predicate.empty() && wide.predicate != narrow.predicate) return false;
    for (size_t i = 0; i < narrow.keys.size(); i++) {
        const IndexKey& a = wide.keys[i];
        const IndexKey& b = narrow.keys[i];
        if (a.attnum != b.attnum || a.pattern_ops != b.pattern_ops) return false;
        // A btree scans both ways: (a, b DESC) serves (a DESC, b) too, and a
        // single column serves either direction.
        bool flip0 = wide.keys[0].desc != narrow.keys[0].desc;
        if ((a.desc != b.desc) != flip0) return false;
        if ((a.nulls_first != b.nulls_first) != flip0) return false;
    }
    return true;
}

std::string shape_id(const IndexShape& s) {
    std::string id = std::to_string(s.relid) + ":";
    for (const IndexKey& k : s.keys) {
        id += std::to_string(k.attnum);
        if (k.desc) id += "d";
        if (k.nulls_first) id += "f";
        if (k.pattern_ops) id += "p";
        id += ",";
    }
    return id + "|" + s.predicate;
}

std::string shape_sql(const IndexShape& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.keys.size(); i++) {
        const IndexKey& k = s.keys[i];
        if (i) out += ", ";
        out += k.name;
        if (k.pattern_ops) out += " text_pattern_ops";
        if (k.desc) out += " DESC";
        if (k.nulls_first && !k.desc) out += " NULLS FIRST";
        if (!k.nulls_first && k.desc) out += " NULLS LAST";
    }
    out += ")";
    if (!s.predicate.empty()) out += " WHERE " + s.predicate;
    return out;
}

}  // namespace pothos::core::advisor
