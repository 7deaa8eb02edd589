#include "core/analysis/explain_json.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/sql_text.h"

namespace pothos::core {

namespace {

// Words in deparsed expressions that are not column names.
constexpr std::string_view kExpressionWords[] = {
    "and",     "or",       "not",    "is",    "null",    "true",     "false",   "any",     "all",
    "some",    "like",     "ilike",  "in",    "case",    "when",     "then",    "else",    "end",
    "between", "distinct", "from",   "array", "subplan", "initplan", "hashed",  "similar", "to",
    "escape",  "row",      "exists", "at",    "time",    "zone",     "unknown",
};

bool expression_word(std::string_view word) {
    for (std::string_view w : kExpressionWords) {
        if (sql::iequals(w, word)) return true;
    }
    return false;
}

bool punct_is(std::string_view text, const sql::Token& t, std::string_view p) {
    return t.kind == sql::TokenKind::Punct && sql::token_text(text, t) == p;
}

using Json = nlohmann::json;

// The member `key` of an object, or nullptr.
const Json* member(const Json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

std::optional<double> number_at(const Json& object, const char* key) {
    const Json* v = member(object, key);
    if (!v || !v->is_number()) return std::nullopt;
    return v->get<double>();
}

std::string string_at(const Json& object, const char* key) {
    const Json* v = member(object, key);
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::vector<std::string> string_array(const Json* v) {
    std::vector<std::string> out;
    if (!v || !v->is_array()) return out;
    for (const Json& item : *v) {
        if (item.is_string()) out.push_back(item.get<std::string>());
    }
    return out;
}

PlanNodeFacts node_facts(const Json& node) {
    PlanNodeFacts n;
    n.node_type = string_at(node, "Node Type");
    n.scan = scan_kind_of(n.node_type);
    n.schema = string_at(node, "Schema");
    n.relation = string_at(node, "Relation Name");
    n.alias = string_at(node, "Alias");
    n.index_name = string_at(node, "Index Name");
    n.estimated_rows = number_at(node, "Plan Rows").value_or(0);
    n.total_cost = number_at(node, "Total Cost").value_or(0);
    n.actual_rows = number_at(node, "Actual Rows");
    n.loops = number_at(node, "Actual Loops");
    n.filter = string_at(node, "Filter");
    n.filter_columns = filter_columns(n.filter);
    n.rows_removed_by_filter = number_at(node, "Rows Removed by Filter");
    n.sort_method = string_at(node, "Sort Method");
    n.sort_space_type = string_at(node, "Sort Space Type");
    n.sort_space_kb = number_at(node, "Sort Space Used");
    n.sort_keys = string_array(member(node, "Sort Key"));
    return n;
}

// The plan's nodes in pre-order, walked with an explicit stack: plans nest
// as deeply as the statement does.
bool collect(const Json& plan, std::vector<PlanNodeFacts>& out) {
    std::vector<const Json*> pending{&plan};
    while (!pending.empty()) {
        const Json& node = *pending.back();
        pending.pop_back();
        if (!node.is_object()) return false;
        out.push_back(node_facts(node));
        if (const Json* children = member(node, "Plans")) {
            if (!children->is_array()) return false;
            for (auto it = children->rbegin(); it != children->rend(); ++it) pending.push_back(&*it);
        }
    }
    return true;
}

}  // namespace

std::vector<std::string> filter_columns(std::string_view filter) {
    std::vector<sql::Token> t = sql::tokenize(filter);
    std::vector<std::string> out;
    bool in_type = false;  // after "::", up to the end of the type name
    for (std::size_t i = 0; i < t.size(); ++i) {
        bool ident = t[i].kind == sql::TokenKind::Word || t[i].kind == sql::TokenKind::QuotedIdent;
        if (punct_is(filter, t[i], "::")) {
            in_type = true;
            continue;
        }
        if (in_type) {
            if (ident || punct_is(filter, t[i], "[") || punct_is(filter, t[i], "]")) continue;
            in_type = false;
        }
        if (!ident) continue;
        bool qualifier = i + 1 < t.size() && punct_is(filter, t[i + 1], ".");
        bool call = i + 1 < t.size() && punct_is(filter, t[i + 1], "(");
        if (qualifier || call) continue;
        if (t[i].kind == sql::TokenKind::Word) {
            std::string_view w = sql::token_text(filter, t[i]);
            if (sql::iequals(w, "collate")) {
                ++i;  // and the collation name
                continue;
            }
            if (expression_word(w)) continue;
        }
        std::string name = sql::identifier_name(filter, t[i]);
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
    }
    return out;
}

std::optional<ExplainSummary> parse_explain_json(std::string_view json, std::string* error) {
    // nlohmann's reader and the destructor of what it builds do not recurse:
    // the document may nest as deeply as the plan does.
    Json doc;
    try {
        doc = Json::parse(json);
    } catch (const Json::exception& e) {  // malformed, or a number beyond a double
        if (error) *error = std::string("invalid JSON: ") + e.what();
        return std::nullopt;
    }
    const Json* top = &doc;
    if (top->is_array() && !top->empty()) top = &(*top)[0];
    const Json* plan = member(*top, "Plan");
    if (!plan || !plan->is_object()) {
        if (error) *error = "EXPLAIN output without a \"Plan\" object";
        return std::nullopt;
    }
    ExplainSummary s;
    if (!collect(*plan, s.plan.nodes)) {
        if (error) *error = "EXPLAIN output with a malformed \"Plans\" list";
        return std::nullopt;
    }
    s.plan.total_cost = number_at(*plan, "Total Cost").value_or(0);
    s.estimated_rows = number_at(*plan, "Plan Rows").value_or(0);
    s.actual_rows = number_at(*plan, "Actual Rows");
    s.plan.analyzed = s.actual_rows.has_value();
    s.shared_hit_blocks = number_at(*plan, "Shared Hit Blocks").value_or(0);
    s.shared_read_blocks = number_at(*plan, "Shared Read Blocks").value_or(0);
    s.planning_time_ms = number_at(*top, "Planning Time");
    s.execution_time_ms = number_at(*top, "Execution Time");
    return s;
}

}  // namespace pothos::core
