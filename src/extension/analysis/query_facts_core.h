// analysis/query_facts_core.h -- the facts query_facts_pg.h collects, as
// core::QueryFacts. C++ for bridge files only (guard.h): call inside
// cpp_call.
#pragma once

#include "extension/common/pg.h"

#include <string_view>

#include "core/analysis/query_facts.h"
#include "extension/analysis/query_facts_pg.h"

namespace pothos::ext {

// The core form of c; text is the statement's text (for counting its
// literals and parameters).
core::QueryFacts to_core_facts(const QueryFactsC* c, std::string_view text);
// Only the relations (for plan-only rules).
void add_core_relations(List* relations, core::QueryFacts& facts);

}  // namespace pothos::ext
