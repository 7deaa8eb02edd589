// Reads a database's schema (schema public: tables, columns, constraints,
// indexes, comments) into the plain model of schema_model.hpp with catalog
// queries (schema-qualified, pg_catalog.*); needs no extension. The table of
// applied migrations (public.pothos_migrations) is left out.
#pragma once

#include "pg.hpp"
#include "schema_model.hpp"

namespace pothos::cli {

Schema introspect_schema(Connection& c);

}  // namespace pothos::cli
