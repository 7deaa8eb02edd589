// A ready DataLoader for "WHERE col = ANY($1)" lookups: the keys of a batch
// are sent as one array parameter (an exact array of the key type) and the
// rows matched back by a key column, read as the same type.
//
// Thread safety: as DataLoader (thread-safe).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <pothos/client.hpp>
#include <pothos/dataloader.hpp>

namespace pothos {

// One row: column name -> value (nullopt for NULL).
using Record = std::map<std::string, std::optional<std::string>>;
template <class K>
using AnyLoaderOf = DataLoader<K, std::optional<Record>>;
using AnyLoader = AnyLoaderOf<std::string>;

// sql has exactly one parameter, the key array, e.g.
//   "SELECT id, title FROM todos WHERE id = ANY($1)"
// A key with no row yields std::nullopt. K must be hashable (std::hash) and
// have ValueTraits (strings, numbers). The loader must not outlive the client.
template <class K = std::string>
std::unique_ptr<AnyLoaderOf<K>> make_any_loader(Client& client, std::string sql,
                                                std::string key_column,
                                                DataLoaderOptions options = {}) {
    const std::string request_id = options.request_id;
    auto fn = [&client, sql = std::move(sql), key_column = std::move(key_column),
               request_id](const std::vector<K>& keys) {
        QueryOptions o;
        o.read_only = true;
        o.request_id = request_id;
        Result r = client.query(sql, params(keys), o);
        const int key_col = r.column_index(key_column);
        std::unordered_map<K, Record> rows;
        for (const Row& row : r) {
            Record rec;
            for (int c = 0; c < row.size(); ++c)
                rec.emplace(r.column_name(c), row.template get<std::optional<std::string>>(c));
            rows.emplace(row.template get<K>(key_col), std::move(rec));
        }
        std::vector<typename AnyLoaderOf<K>::Outcome> out;
        out.reserve(keys.size());
        for (const auto& k : keys) {
            auto it = rows.find(k);
            if (it == rows.end()) out.emplace_back(std::optional<Record>());
            else out.emplace_back(std::optional<Record>(it->second));
        }
        return out;
    };
    return std::make_unique<AnyLoaderOf<K>>(std::move(fn), std::move(options));
}

}  // namespace pothos
