// A database schema as `pothos-perf db diff` compares it: the tables of
// schema public with their columns, constraints, indexes and comments. Filled
// by schema_introspect (catalog queries); plain C++, no libpq.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pothos::cli {

struct SchemaColumn {
    std::string name;
    std::string type;                     // format_type(), e.g. "character varying(20)"
    std::optional<std::string> default_;  // pg_get_expr() of the default (none for serial/identity)
    bool not_null = false;
    char identity = 0;   // 'a' GENERATED ALWAYS, 'd' BY DEFAULT AS IDENTITY, 0 none
    bool serial = false;  // default nextval() of a sequence the column owns
    std::optional<std::string> generated;  // GENERATED ALWAYS AS (expr) STORED
    std::optional<std::string> comment;
};

struct SchemaConstraint {
    std::string name;
    char kind = 0;           // 'p' primary key, 'u' unique, 'c' check, 'f' foreign key, 'x' exclusion
    std::string definition;  // pg_get_constraintdef(), e.g. "FOREIGN KEY (a) REFERENCES b(id)"
    std::string references;  // 'f': the referenced table's name
};

struct SchemaIndex {
    std::string name;
    std::string table;
    std::string definition;  // pg_get_indexdef(), "CREATE [UNIQUE] INDEX name ON public.t USING ..."
};

struct SchemaTable {
    std::string name;
    std::vector<SchemaColumn> columns;          // in attnum order
    std::vector<SchemaConstraint> constraints;  // by name
    std::optional<std::string> comment;
};

struct Schema {
    std::map<std::string, SchemaTable> tables;   // by name
    std::map<std::string, SchemaIndex> indexes;  // by name; not those of constraints
};

inline bool operator==(const SchemaColumn& a, const SchemaColumn& b) {
    return a.name == b.name && a.type == b.type && a.default_ == b.default_ && a.not_null == b.not_null &&
           a.identity == b.identity && a.serial == b.serial && a.generated == b.generated && a.comment == b.comment;
}
inline bool operator==(const SchemaConstraint& a, const SchemaConstraint& b) {
    return a.name == b.name && a.kind == b.kind && a.definition == b.definition && a.references == b.references;
}
inline bool operator==(const SchemaIndex& a, const SchemaIndex& b) {
    return a.name == b.name && a.table == b.table && a.definition == b.definition;
}

// A canonical multi-line description (the same schemas give the same text):
// what the round-trip tests compare.
std::string describe_schema(const Schema& s);

}  // namespace pothos::cli
