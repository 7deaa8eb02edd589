#include "core/analysis/explain_json.h"

#include <algorithm>

#include "core/common/json.h"
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

std::vector<std::string> string_array(const JsonValue* v) {
    std::vector<std::string> out;
    if (!v || v->kind != JsonValue::Kind::Array) return out;
    for (const JsonValue& item : v->items) {
        if (item.kind == JsonValue::Kind::String) out.push_back(item.string);
    }
    return out;
}

PlanNodeFacts node_facts(const JsonValue& node) {
    PlanNodeFacts n;
    n.node_type = node.string_at("Node Type").value_or("");
    n.scan = scan_kind_of(n.node_type);
    n.schema = node.string_at("Schema").value_or("");
    n.relation = node.string_at("Relation Name").value_or("");
    n.alias = node.string_at("Alias").value_or("");
    n.index_name = node.string_at("Index Name").value_or("");
    n.estimated_rows = node.number_at("Plan Rows").value_or(0);
    n.total_cost = node.number_at("Total Cost").value_or(0);
    n.actual_rows = node.number_at("Actual Rows");
    n.loops = node.number_at("Actual Loops");
    n.filter = node.string_at("Filter").value_or("");
    n.filter_columns = filter_columns(n.filter);
    n.rows_removed_by_filter = node.number_at("Rows Removed by Filter");
    n.sort_method = node.string_at("Sort Method").value_or("");
    n.sort_space_type = node.string_at("Sort Space Type").value_or("");
    n.sort_space_kb = node.number_at("Sort Space Used");
    n.sort_keys = string_array(node.get("Sort Key"));
    return n;
}

// The plan's nodes in pre-order, walked with an explicit stack: plans nest
// as deeply as the statement does.
bool collect(const JsonValue& plan, std::vector<PlanNodeFacts>& out) {
    std::vector<const JsonValue*> pending{&plan};
    while (!pending.empty()) {
        const JsonValue& node = *pending.back();
        pending.pop_back();
        if (node.kind != JsonValue::Kind::Object) return false;
        out.push_back(node_facts(node));
        if (const JsonValue* children = node.get("Plans")) {
            if (children->kind != JsonValue::Kind::Array) return false;
            for (auto it = children->items.rbegin(); it != children->items.rend(); ++it) pending.push_back(&*it);
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
    std::optional<JsonValue> doc = parse_json(json, error);
    if (!doc) return std::nullopt;
    const JsonValue* top = &*doc;
    if (top->kind == JsonValue::Kind::Array && !top->items.empty()) top = &top->items[0];
    const JsonValue* plan = top->get("Plan");
    if (!plan || plan->kind != JsonValue::Kind::Object) {
        if (error) *error = "EXPLAIN output without a \"Plan\" object";
        return std::nullopt;
    }
    ExplainSummary s;
    if (!collect(*plan, s.plan.nodes)) {
        if (error) *error = "EXPLAIN output with a malformed \"Plans\" list";
        return std::nullopt;
    }
    s.plan.total_cost = plan->number_at("Total Cost").value_or(0);
    s.estimated_rows = plan->number_at("Plan Rows").value_or(0);
    s.actual_rows = plan->number_at("Actual Rows");
    s.plan.analyzed = s.actual_rows.has_value();
    s.shared_hit_blocks = plan->number_at("Shared Hit Blocks").value_or(0);
    s.shared_read_blocks = plan->number_at("Shared Read Blocks").value_or(0);
    s.planning_time_ms = top->number_at("Planning Time");
    s.execution_time_ms = top->number_at("Execution Time");
    return s;
}

}  // namespace pothos::core
