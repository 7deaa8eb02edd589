#include "render_migrations.hpp"

#include "json_doc.hpp"
#include "table.hpp"

namespace pothos::cli {

std::string text_migration_status(const MigrationPlan& plan, const TextStyle& st) {
    TextTable t({{"version", Align::Right}, {"migration"}, {"state"}, {"applied at"}});
    for (const auto& m : plan.applied) t.add_row({std::to_string(m.version), m.name, "applied", m.applied_at});
    for (const auto& m : plan.changed) t.add_row({std::to_string(m.version), m.name, "CHANGED", m.applied_at});
    for (const auto& m : plan.missing) t.add_row({std::to_string(m.version), m.name, "file missing", m.applied_at});
    for (const auto& f : plan.pending) t.add_row({std::to_string(f.version), f.name, "pending", ""});
    std::string out = t.render(st.colour);
    out += std::to_string(plan.applied.size() + plan.changed.size()) + " applied, " +
           std::to_string(plan.pending.size()) + " pending\n";
    if (!plan.changed.empty())
        out += paint("changed after they ran: " + migration_names(plan.changed), "31", st.colour) + "\n";
    return out;
}

std::string json_migration_status(const std::string& database, const MigrationPlan& plan) {
    Json applied = Json::array(), pending = Json::array(), changed = Json::array(), missing = Json::array();
    for (const auto& m : plan.applied)
        applied.push_back({{"version", m.version},
                           {"name", json_text(m.name)},
                           {"checksum", json_text(m.checksum)},
                           {"applied_at", json_text(m.applied_at)}});
    for (const auto& f : plan.pending)
        pending.push_back({{"version", f.version}, {"name", json_text(f.name)}, {"checksum", json_text(f.checksum)}});
    for (const auto& m : plan.changed) changed.push_back(json_text(m.name));
    for (const auto& m : plan.missing) missing.push_back(json_text(m.name));
    return json_document({{"database", json_text(database)},
                          {"applied", std::move(applied)},
                          {"pending", std::move(pending)},
                          {"changed", std::move(changed)},
                          {"missing", std::move(missing)}});
}

std::string text_migrate(const std::string& database, const MigrateOutcome& o) {
    if (o.applied.empty())
        return "database \"" + database + "\" is up to date (" + std::to_string(o.already_applied) +
               " migrations applied)\n";
    return "applied " + std::to_string(o.applied.size()) + " migration(s) to database \"" + database + "\"\n";
}

std::string json_migrate(const std::string& database, const MigrateOutcome& o, bool reset) {
    Json doc = {{"database", json_text(database)}};
    if (reset) doc["reset"] = "schema public";
    doc["applied"] = json_texts(o.applied);
    doc["already_applied"] = o.already_applied;
    return json_document(doc);
}

}  // namespace pothos::cli
