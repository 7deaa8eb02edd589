// The ANY($1) DataLoader: one query per batch, rows matched back by key.
#include <pothos/any_loader.hpp>

#include <unordered_map>

namespace pothos {

std::string array_literal(const std::vector<std::string>& keys) {
    std::string out;
    ValueTraits<std::vector<std::string>>::to_text(keys, out);
    return out;
}

std::unique_ptr<AnyLoader> make_any_loader(Client& client, std::string sql, std::string key_column,
                                           DataLoaderOptions options) {
    const std::string request_id = options.request_id;
    auto fn = [&client, sql = std::move(sql), key_column = std::move(key_column),
               request_id](const std::vector<std::string>& keys) {
        QueryOptions o;
        o.read_only = true;
        o.request_id = request_id;
        Result r = client.query(sql, params(keys), o);
        const int key_col = r.column_index(key_column);
        std::unordered_map<std::string, Record> rows;
        for (int i = 0; i < r.rows(); ++i) {
            Record rec;
            for (int c = 0; c < r.columns(); ++c) rec.emplace(r.column_name(c), r.value(i, c));
            rows.emplace(std::string(r.get(i, key_col)), std::move(rec));
        }
        std::vector<AnyLoader::Outcome> out;
        out.reserve(keys.size());
        for (const auto& k : keys) {
            auto it = rows.find(k);
            if (it == rows.end()) out.emplace_back(std::optional<Record>());
            else out.emplace_back(std::optional<Record>(it->second));
        }
        return out;
    };
    return std::make_unique<AnyLoader>(std::move(fn), std::move(options));
}

}  // namespace pothos
