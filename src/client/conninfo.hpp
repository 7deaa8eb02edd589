// Internal: a connection string checked when the configuration is built, by
// libpq's own parser (PQconninfoParse: syntax, URI form, known keywords)
// plus the value checks libpq would otherwise only make when connecting
// (sslmode, port numbers, ...). A bad string is a ConfigError naming
// variable at once, instead of every connection attempt failing later.
#pragma once

#include <string>

namespace pothos::detail {

void check_conninfo(const std::string& conninfo, const std::string& variable);

}  // namespace pothos::detail
