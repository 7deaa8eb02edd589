// `pothos-perf db diff`'s comparison: two schemas in (what the migrations
// build, what schema.sql describes), the ordered DDL that turns the first
// into the second out, and its rendering as migration files. Plain C++, no
// libpq: the unit tests reach all of it without a server.
//
// Order: foreign keys, other constraints and indexes that go or change are
// dropped first, then tables, then columns; new tables are created (their
// foreign keys later), columns of existing tables added and altered, then
// constraints added, foreign keys last among them, then indexes: plainly on
// a new table, CONCURRENTLY (outside a transaction) on an existing one.
//
// Destructive steps (dropping a table or a column, a type change that is not
// a known widening) are marked; rendered commented out with a warning unless
// allowed. A table or column dropped while another is added is reported as a
// possible rename: renames are never guessed.
#pragma once

#include <string>
#include <vector>

#include "schema_model.hpp"

namespace pothos::cli {

struct DiffStep {
    std::string sql;                    // one or more statements, each ending in ";\n"
    std::vector<std::string> warnings;  // written as comments before it
    bool destructive = false;           // commented out unless allowed
    bool concurrent = false;            // must run outside a transaction
};

struct SchemaDiff {
    std::vector<DiffStep> steps;
    std::vector<std::string> review;  // possible renames and steps not generated
    bool empty() const { return steps.empty() && review.empty(); }
};

SchemaDiff diff_schemas(const Schema& current, const Schema& desired);

struct RenderedMigration {
    std::string description;  // file name part after V<version>__, e.g. "add_due_dates"
    std::string content;
};

// The migration file(s) of `d`: one transactional file, then, when there
// are concurrent steps, one file starting with kNoTransactionMarker
// (description `name` + "_concurrently" when there are both).
std::vector<RenderedMigration> render_diff(const SchemaDiff& d, const std::string& name, bool allow_destructive,
                                           const std::string& source);

// quote_ident(): `s` as is when it is a lowercase identifier that is no
// keyword, else in double quotes with inner quotes doubled.
std::string quote_ident(const std::string& s);
// A string literal: single quotes, inner quotes doubled.
std::string quote_literal(const std::string& s);

}  // namespace pothos::cli
