// nplus1/rewrite_bridge.cpp -- see nplus1/rewrite_bridge.h.
#include "extension/nplus1/rewrite_bridge.h"

#include "core/nplus1/rewrite.h"
#include "extension/common/palloc_copy.h"

namespace pothos::ext {

namespace {

core::Nplus1Facts to_facts(const Nplus1FactsC& c) {
    core::Nplus1Facts f;
    f.statement = core::Nplus1Statement(c.statement);
    if (c.table) f.table = c.table;
    for (int i = 0; i < c.nkeys; i++) f.keys.push_back({c.key_names[i], c.key_types[i]});
    for (int i = 0; i < c.nselect; i++) f.select.push_back(c.select[i]);
    for (int i = 0; i < c.norder; i++) f.order_by.push_back(c.order[i]);
    for (int i = 0; i < c.nset; i++) f.set_columns.push_back({c.set_names[i], c.set_types[i]});
    f.limit = c.limit;
    if (c.limit_sql) f.limit_sql = c.limit_sql;
    f.key_indexed = c.key_indexed;
    if (c.index_name) f.index_name = c.index_name;
    return f;
}

}  // namespace

bool nplus1_rewrite(const Nplus1FactsC* facts, core::Nplus1Kind kind, bool with_suggestion, int siblings,
                    int64 max_repeats, int64 distinct_params, Nplus1Rewrite* out, CppError* err) noexcept {
    out->query = nullptr;
    out->suggestion = nullptr;
    return cpp_call(err, [&] {
        core::Nplus1Facts f = to_facts(*facts);
        std::string q;
        // Same parameters again: nothing to batch, only to reuse.
        if (kind != core::Nplus1Kind::DuplicateQuery) q = core::nplus1_suggest_query(f);
        if (!q.empty()) out->query = palloc_copy(q);
        if (!with_suggestion) return;
        std::string advice = core::nplus1_suggestion(kind, f, "", long(max_repeats), siblings, long(distinct_params));
        if (!advice.empty()) out->suggestion = palloc_copy(advice);
    });
}

}  // namespace pothos::ext
