#include "migration_files.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace pothos::cli {

namespace fs = std::filesystem;

std::optional<MigrationName> parse_migration_name(std::string_view n) {
    if (n.size() < 8 || n[0] != 'V' || n.substr(n.size() - 4) != ".sql") return std::nullopt;
    std::size_t i = 1;
    while (i < n.size() && std::isdigit(static_cast<unsigned char>(n[i]))) ++i;
    std::string_view digits = n.substr(1, i - 1);
    if (digits.empty() || digits.size() > 18) return std::nullopt;
    if (n.substr(i, 2) != "__") return std::nullopt;
    std::string_view desc = n.substr(i + 2, n.size() - 4 - (i + 2));
    if (desc.empty()) return std::nullopt;
    std::string pretty;
    for (char c : desc) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return std::nullopt;
        pretty += c == '_' ? ' ' : c;
    }
    return MigrationName{std::stoll(std::string(digits)), pretty};
}

bool is_non_transactional(std::string_view content) {
    std::string_view first = content.substr(0, content.find('\n'));
    while (!first.empty() && (first.back() == ' ' || first.back() == '\t' || first.back() == '\r'))
        first.remove_suffix(1);
    return first == kNoTransactionMarker;
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("sha256 failed");
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

std::vector<MigrationFile> load_migrations(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw std::runtime_error("migrations directory '" + dir + "' does not exist or is not a directory");
    std::vector<MigrationFile> out;
    std::map<std::int64_t, std::string> seen;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        std::string name = entry.path().filename().string();
        if (entry.path().extension() != ".sql" || !entry.is_regular_file()) continue;
        auto parsed = parse_migration_name(name);
        if (!parsed)
            throw std::runtime_error("'" + name + "' in " + dir +
                                     " is not a migration name: expected V<version>__<description>.sql, "
                                     "e.g. V001__create_users.sql");
        if (auto it = seen.find(parsed->version); it != seen.end())
            throw std::runtime_error("two migrations with version " + std::to_string(parsed->version) +
                                     ": " + it->second + " and " + name);
        seen[parsed->version] = name;
        std::ifstream in(entry.path(), std::ios::binary);
        if (!in) throw std::runtime_error("cannot read " + entry.path().string());
        std::ostringstream ss;
        ss << in.rdbuf();
        if (ss.str().find('\0') != std::string::npos)
            throw std::runtime_error(name + " contains a NUL byte: migrations are SQL text");
        MigrationFile f;
        f.version = parsed->version;
        f.name = name;
        f.description = parsed->description;
        f.content = ss.str();
        f.checksum = sha256_hex(f.content);
        f.transactional = !is_non_transactional(f.content);
        out.push_back(std::move(f));
    }
    if (ec) throw std::runtime_error("cannot list " + dir + ": " + ec.message());
    std::sort(out.begin(), out.end(),
              [](const MigrationFile& a, const MigrationFile& b) { return a.version < b.version; });
    return out;
}

MigrationPlan plan_migrations(const std::vector<MigrationFile>& files,
                              const std::vector<AppliedMigration>& applied) {
    MigrationPlan plan;
    std::map<std::int64_t, const MigrationFile*> by_version;
    for (const auto& f : files) by_version[f.version] = &f;
    std::map<std::int64_t, bool> done;
    for (const auto& a : applied) {
        done[a.version] = true;
        auto it = by_version.find(a.version);
        if (it == by_version.end()) plan.missing.push_back(a);
        else if (it->second->checksum != a.checksum) plan.changed.push_back(a);
        else plan.applied.push_back(a);
    }
    for (const auto& f : files)
        if (!done.count(f.version)) plan.pending.push_back(f);
    return plan;
}

std::string next_migration_name(const std::vector<MigrationFile>& files,
                                const std::vector<AppliedMigration>& applied, const std::string& description,
                                int offset) {
    std::int64_t top = 0;
    std::size_t width = 3;
    for (const auto& f : files) {
        top = std::max(top, f.version);
        width = std::max<std::size_t>(3, f.name.find("__") - 1);
    }
    for (const auto& a : applied) top = std::max(top, a.version);
    std::string v = std::to_string(top + 1 + offset);
    if (v.size() < width) v.insert(0, width - v.size(), '0');
    return "V" + v + "__" + description + ".sql";
}

std::string migration_names(const std::vector<AppliedMigration>& v) {
    std::string out;
    for (const auto& a : v) out += (out.empty() ? "" : ", ") + a.name;
    return out;
}

}  // namespace pothos::cli
