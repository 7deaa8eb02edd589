#include "render_migrations.hpp"

#include "json_writer.hpp"
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
    JsonWriter w;
    w.begin_object().key("database").value(database).key("applied").begin_array();
    for (const auto& m : plan.applied) {
        w.begin_object().key("version").value(m.version).key("name").value(m.name);
        w.key("checksum").value(m.checksum).key("applied_at").value(m.applied_at).end_object();
    }
    w.end_array().key("pending").begin_array();
    for (const auto& f : plan.pending) {
        w.begin_object().key("version").value(f.version).key("name").value(f.name);
        w.key("checksum").value(f.checksum).end_object();
    }
    w.end_array().key("changed").begin_array();
    for (const auto& m : plan.changed) w.value(m.name);
    w.end_array().key("missing").begin_array();
    for (const auto& m : plan.missing) w.value(m.name);
    w.end_array().end_object();
    return w.str();
}

std::string text_migrate(const std::string& database, const MigrateOutcome& o) {
    if (o.applied.empty())
        return "database \"" + database + "\" is up to date (" + std::to_string(o.already_applied) +
               " migrations applied)\n";
    return "applied " + std::to_string(o.applied.size()) + " migration(s) to database \"" + database + "\"\n";
}

std::string json_migrate(const std::string& database, const MigrateOutcome& o, bool reset) {
    JsonWriter w;
    w.begin_object().key("database").value(database);
    if (reset) w.key("reset").value("schema public");
    w.key("applied").strings(o.applied);
    w.key("already_applied").value(std::int64_t(o.already_applied));
    w.end_object();
    return w.str();
}

}  // namespace pothos::cli
