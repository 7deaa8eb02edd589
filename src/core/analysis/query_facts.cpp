#include "core/analysis/query_facts.h"

namespace pothos::core {

OperatorClass classify_operator(std::string_view name) {
    if (name == "=") return {PredicateOp::Eq, false};
    if (name == "<" || name == "<=" || name == ">" || name == ">=")
        return {PredicateOp::Range, false};
    if (name == "~~") return {PredicateOp::Like, false};
    if (name == "!~~") return {PredicateOp::Like, true};
    if (name == "~~*") return {PredicateOp::ILike, false};
    if (name == "!~~*") return {PredicateOp::ILike, true};
    if (name == "<>" || name == "!=") return {PredicateOp::Other, true};
    return {PredicateOp::Other, false};
}

ScanKind scan_kind_of(std::string_view node_type) {
    constexpr std::string_view kParallel = "Parallel ";  // the text format's spelling
    if (node_type.substr(0, kParallel.size()) == kParallel)
        node_type.remove_prefix(kParallel.size());
    if (node_type == "Seq Scan") return ScanKind::Seq;
    if (node_type == "Index Scan") return ScanKind::Index;
    if (node_type == "Index Only Scan") return ScanKind::IndexOnly;
    if (node_type == "Bitmap Heap Scan") return ScanKind::Bitmap;
    constexpr std::string_view kScan = " Scan";
    if (node_type.size() > kScan.size() &&
        node_type.substr(node_type.size() - kScan.size()) == kScan) {
        return ScanKind::Other;
    }
    return ScanKind::None;
}

}  // namespace pothos::core
