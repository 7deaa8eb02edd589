// nplus1/rewrite.cpp -- see nplus1/rewrite.h.
#include "core/nplus1/rewrite.h"

#include <algorithm>

#include "core/common/strings.h"

namespace pothos::core {

namespace {

std::string param_array(size_t i, const std::string& type) {
    return "$" + std::to_string(i + 1) + "::" + type + "[]";
}

bool selects_all(const Nplus1Facts& f) {
    return std::find(f.select.begin(), f.select.end(), "*") != f.select.end();
}

// Select list with the key columns in front (unless * or already listed).
std::vector<std::string> with_keys(const Nplus1Facts& f, const std::string& qualifier) {
    std::vector<std::string> out;
    if (selects_all(f)) {
        out.push_back(qualifier.empty() ? "*" : qualifier + ".*");
        return out;
    }
    for (const Nplus1Column& k : f.keys)
        if (std::find(f.select.begin(), f.select.end(), k.name) == f.select.end())
            out.push_back(qualifier.empty() ? k.name : qualifier + "." + k.name);
    for (const std::string& s : f.select) out.push_back(s);
    return out;
}

std::vector<std::string> key_names(const Nplus1Facts& f, const std::string& qualifier) {
    std::vector<std::string> out;
    for (const Nplus1Column& k : f.keys) out.push_back(qualifier.empty() ? k.name : qualifier + "." + k.name);
    return out;
}

std::string unnest_of(const std::vector<Nplus1Column>& cols, size_t first_param) {
    std::string s = "unnest(";
    for (size_t i = 0; i < cols.size(); i++) {
        if (i) s += ", ";
        s += param_array(first_param + i, cols[i].type);
    }
    return s + ")";
}

std::string batch_columns(size_t n, const char* prefix) {
    std::string s;
    for (size_t i = 0; i < n; i++) {
        if (i) s += ", ";
        s += prefix + std::to_string(i + 1);
    }
    return s;
}

std::string order_clause(const std::vector<std::string>& keys, const std::vector<std::string>& order) {
    std::vector<std::string> all = keys;
    all.insert(all.end(), order.begin(), order.end());
    return all.empty() ? "" : " ORDER BY " + join(all, ", ");
}

std::string select_rewrite(const Nplus1Facts& f) {
    if (f.keys.empty() || f.table.empty() || f.select.empty()) return "";
    if (f.limit > 1) {
        // Top-N per key: a lateral subquery per key, still one round trip.
        std::string s = "SELECT batch.key1";
        for (size_t i = 1; i < f.keys.size(); i++) s += ", batch.key" + std::to_string(i + 1);
        s += ", x.* FROM " + unnest_of(f.keys, 0) + " AS batch(" + batch_columns(f.keys.size(), "key") +
             ") CROSS JOIN LATERAL (SELECT " + join(f.select, ", ") + " FROM " + f.table + " AS t WHERE ";
        for (size_t i = 0; i < f.keys.size(); i++) {
            if (i) s += " AND ";
            s += "t." + f.keys[i].name + " = batch.key" + std::to_string(i + 1);
        }
        if (!f.order_by.empty()) s += " ORDER BY " + join(f.order_by, ", ");
        return s + " LIMIT " + (f.limit_sql.empty() ? std::to_string(f.limit) : f.limit_sql) + ") AS x";
    }
    const bool one = f.limit == 1;
    if (f.keys.size() == 1) {
        const std::vector<std::string> keys = key_names(f, "");
        std::string s = "SELECT ";
        if (one) s += "DISTINCT ON (" + keys[0] + ") ";
        s += join(with_keys(f, ""), ", ") + " FROM " + f.table + " WHERE " + keys[0] + " = ANY(" +
             param_array(0, f.keys[0].type) + ")";
        if (one)
            s += order_clause(keys, f.order_by);
        else if (!f.order_by.empty())
            s += order_clause(keys, f.order_by);
        return s;
    }
    const std::vector<std::string> keys = key_names(f, "t");
    std::string s = "SELECT ";
    if (one) s += "DISTINCT ON (" + join(keys, ", ") + ") ";
    s += join(with_keys(f, "t"), ", ") + " FROM " + f.table + " AS t JOIN " + unnest_of(f.keys, 0) +
         " AS batch(" + batch_columns(f.keys.size(), "key") + ") ON ";
    for (size_t i = 0; i < f.keys.size(); i++) {
        if (i) s += " AND ";
        s += keys[i] + " = batch.key" + std::to_string(i + 1);
    }
    if (one || !f.order_by.empty()) s += order_clause(keys, f.order_by);
    return s;
}

std::vector<std::string> names_of(const std::vector<Nplus1Column>& cols) {
    std::vector<std::string> out;
    for (const Nplus1Column& c : cols) out.push_back(c.name);
    return out;
}

std::string dml_rewrite(const Nplus1Facts& f) {
    if (f.table.empty()) return "";
    switch (f.statement) {
        case Nplus1Statement::Insert:
            if (f.set_columns.empty()) return "";
            return "INSERT INTO " + f.table + " (" + join(names_of(f.set_columns), ", ") + ") SELECT * FROM " +
                   unnest_of(f.set_columns, 0);
        case Nplus1Statement::Delete:
            if (f.keys.size() == 1)
                return "DELETE FROM " + f.table + " WHERE " + f.keys[0].name + " = ANY(" +
                       param_array(0, f.keys[0].type) + ")";
            if (f.keys.empty()) return "";
            {
                std::string s = "DELETE FROM " + f.table + " AS t USING " + unnest_of(f.keys, 0) + " AS batch(" +
                                batch_columns(f.keys.size(), "key") + ") WHERE ";
                for (size_t i = 0; i < f.keys.size(); i++) {
                    if (i) s += " AND ";
                    s += "t." + f.keys[i].name + " = batch.key" + std::to_string(i + 1);
                }
                return s;
            }
        case Nplus1Statement::Update: {
            if (f.keys.empty() || f.set_columns.empty()) return "";
            std::vector<Nplus1Column> cols = f.set_columns;
            cols.insert(cols.end(), f.keys.begin(), f.keys.end());
            std::string s = "UPDATE " + f.table + " AS t SET ";
            for (size_t i = 0; i < f.set_columns.size(); i++) {
                if (i) s += ", ";
                s += f.set_columns[i].name + " = batch.val" + std::to_string(i + 1);
            }
            s += " FROM " + unnest_of(cols, 0) + " AS batch(" + batch_columns(f.set_columns.size(), "val") + ", " +
                 batch_columns(f.keys.size(), "key") + ") WHERE ";
            for (size_t i = 0; i < f.keys.size(); i++) {
                if (i) s += " AND ";
                s += "t." + f.keys[i].name + " = batch.key" + std::to_string(i + 1);
            }
            return s;
        }
        default:
            return "";
    }
}

std::string key_list(const Nplus1Facts& f) { return join(names_of(f.keys), ", "); }

std::string index_sentence(const Nplus1Facts& f) {
    if (f.keys.empty() || f.table.empty()) return "";
    if (f.key_indexed)
        return " The batched column " + f.keys[0].name + " of " + f.table + " has a usable index (" + f.index_name +
               ").";
    return " No index of " + f.table + " leads with " + f.keys[0].name +
           ", so even the batched query scans: consider CREATE INDEX ON " + f.table + " (" + key_list(f) + ").";
}

}  // namespace

std::string nplus1_suggest_query(const Nplus1Facts& facts) {
    if (facts.statement == Nplus1Statement::Select) return select_rewrite(facts);
    return dml_rewrite(facts);
}

std::string nplus1_suggestion(Nplus1Kind kind, const Nplus1Facts& f, const std::string& parent_hint, long max_repeats,
                              int siblings, long distinct_keys) {
    const std::string n = std::to_string(max_repeats);
    switch (kind) {
        case Nplus1Kind::Nplus1: {
            std::string s = "Runs once per row of " + (parent_hint.empty() ? std::string("its parent query") : parent_hint) +
                            " (up to " + n + " times in one unit of work, one round trip each). Use the DataLoader "
                            "pattern: collect the keys";
            if (!f.keys.empty()) s += " (" + key_list(f) + ")";
            s += " from the parent's rows, run suggested_query once with all of them, and match the rows back by key.";
            if (distinct_keys > 0 && distinct_keys < max_repeats)
                s += " The keys repeat (at most " + std::to_string(distinct_keys) + " distinct among up to " + n +
                     " lookups): pass the distinct keys, each once, and share each row among the parent rows "
                     "that hold its key.";
            if (siblings > 0)
                s += " The same parent rows also trigger " + std::to_string(siblings) +
                     " other lookup(s) (child_queries): batch each the same way (child_suggested_queries).";
            return s + index_sentence(f);
        }
        case Nplus1Kind::DuplicateQuery:
            return "The same statement with the same parameters ran up to " + n +
                   " times in one unit of work: its result can be reused (a per-request cache, as a DataLoader "
                   "keeps one) or the call hoisted out of the loop.";
        case Nplus1Kind::RowByRowDml:
            return "Writes one row per statement (up to " + n +
                   " times in one unit of work, one round trip each): send the rows together as one multi-row "
                   "VALUES list, COPY, or a statement over unnest() of arrays (suggested_query).";
        case Nplus1Kind::ServerSideLoop:
            return "A function runs this statement up to " + n +
                   " times per call, once per row (no round trips, but one execution each): replace the loop "
                   "with one set-based statement." +
                   index_sentence(f);
    }
    return "";
}

}  // namespace pothos::core
