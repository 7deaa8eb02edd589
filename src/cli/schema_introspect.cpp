#include "schema_introspect.hpp"

namespace pothos::cli {
namespace {

// Whether the relation whose oid is the SQL expression `oid` is a table of
// schema public that db diff compares.
std::string user_table(const std::string& oid) {
    return "EXISTS (SELECT 1 FROM pg_catalog.pg_class ut JOIN pg_catalog.pg_namespace un ON un.oid = ut.relnamespace"
           " WHERE ut.oid = " + oid + " AND un.nspname = 'public' AND ut.relkind IN ('r', 'p')"
           " AND ut.relname <> 'pothos_migrations')";
}

std::optional<std::string> opt_text(const Result& r, int row, int col) {
    if (r.is_null(row, col)) return std::nullopt;
    return r.text(row, col);
}

}  // namespace

Schema introspect_schema(Connection& c) {
    Schema s;
    Result tables = c.exec("SELECT c.relname, pg_catalog.obj_description(c.oid, 'pg_class')"
                           " FROM pg_catalog.pg_class c WHERE " + user_table("c.oid") + " ORDER BY 1");
    for (int i = 0; i < tables.rows(); ++i) {
        SchemaTable t;
        t.name = tables.text(i, 0);
        t.comment = opt_text(tables, i, 1);
        s.tables[t.name] = t;
    }
    Result cols = c.exec(
        "SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,"
        "       a.attidentity::text, a.attgenerated::text, pg_catalog.pg_get_expr(d.adbin, d.adrelid),"
        "       pg_catalog.col_description(c.oid, a.attnum),"
        "       EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_class q ON q.oid = dep.objid"
        "               WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND q.relkind = 'S'"
        "                 AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum AND dep.deptype = 'a')"
        "         AND pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%'"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
        " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum"
        " WHERE " + user_table("c.oid") + " ORDER BY c.relname, a.attnum");
    for (int i = 0; i < cols.rows(); ++i) {
        SchemaColumn col;
        col.name = cols.text(i, 1);
        col.type = cols.text(i, 2);
        col.not_null = cols.boolean(i, 3);
        std::string identity = cols.text(i, 4), generated = cols.text(i, 5);
        col.identity = identity.empty() ? 0 : identity[0];
        col.serial = cols.boolean(i, 8);
        if (generated == "s") col.generated = opt_text(cols, i, 6);
        else if (!col.serial) col.default_ = opt_text(cols, i, 6);
        col.comment = opt_text(cols, i, 7);
        s.tables[cols.text(i, 0)].columns.push_back(col);
    }
    Result cons = c.exec(
        "SELECT c.relname, k.conname, k.contype::text, pg_catalog.pg_get_constraintdef(k.oid), r.relname"
        " FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
        " LEFT JOIN pg_catalog.pg_class r ON r.oid = k.confrelid"
        " WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND " + user_table("c.oid") +
        " ORDER BY c.relname, k.conname");
    for (int i = 0; i < cons.rows(); ++i) {
        SchemaConstraint k;
        k.name = cons.text(i, 1);
        k.kind = cons.text(i, 2)[0];
        k.definition = cons.text(i, 3);
        k.references = cons.text(i, 4);
        s.tables[cons.text(i, 0)].constraints.push_back(k);
    }
    Result idx = c.exec(
        "SELECT i.relname, t.relname, pg_catalog.pg_get_indexdef(x.indexrelid)"
        " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
        " JOIN pg_catalog.pg_class t ON t.oid = x.indrelid"
        " WHERE " + user_table("t.oid") +
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = x.indexrelid"
        "                 AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))"
        " ORDER BY 1");
    for (int i = 0; i < idx.rows(); ++i) {
        SchemaIndex ix{idx.text(i, 0), idx.text(i, 1), idx.text(i, 2)};
        s.indexes[ix.name] = ix;
    }
    return s;
}

}  // namespace pothos::cli
