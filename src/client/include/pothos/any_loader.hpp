// A ready DataLoader for "WHERE col = ANY($1)" lookups: the keys of a batch
// are sent as one array parameter and the rows matched back by a key column.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <pothos/client.hpp>
#include <pothos/dataloader.hpp>

namespace pothos {

// One row: column name -> value (nullopt for NULL).
using Record = std::map<std::string, std::optional<std::string>>;
using AnyLoader = DataLoader<std::string, std::optional<Record>>;

// sql has exactly one parameter, the key array, e.g.
//   "SELECT id, title FROM todos WHERE id = ANY($1)"
// Keys are text; a key with no row yields std::nullopt. The loader must not
// outlive the client.
std::unique_ptr<AnyLoader> make_any_loader(Client& client, std::string sql, std::string key_column,
                                           DataLoaderOptions options = {});

// The PostgreSQL array literal for keys: {"a","b\"c"}.
std::string array_literal(const std::vector<std::string>& keys);

}  // namespace pothos
