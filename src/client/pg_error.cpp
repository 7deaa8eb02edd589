// Maps SQLSTATEs to the typed errors of errors.hpp.
#include "pg_error.hpp"

namespace pothos::detail {
namespace {

std::string field(const PGresult* res, int code) {
    const char* v = res ? PQresultErrorField(res, code) : nullptr;
    return v ? v : "";
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

template <class E>
std::exception_ptr make(ErrorFields f) {
    return std::make_exception_ptr(E(std::move(f)));
}

}  // namespace

ErrorFields error_fields(const PGresult* res, PGconn* conn, const std::string& statement) {
    ErrorFields f;
    f.sqlstate = field(res, PG_DIAG_SQLSTATE);
    f.message = field(res, PG_DIAG_MESSAGE_PRIMARY);
    f.detail = field(res, PG_DIAG_MESSAGE_DETAIL);
    f.hint = field(res, PG_DIAG_MESSAGE_HINT);
    f.schema = field(res, PG_DIAG_SCHEMA_NAME);
    f.table = field(res, PG_DIAG_TABLE_NAME);
    f.column = field(res, PG_DIAG_COLUMN_NAME);
    f.datatype = field(res, PG_DIAG_DATATYPE_NAME);
    f.constraint = field(res, PG_DIAG_CONSTRAINT_NAME);
    f.statement = statement;
    if (f.message.empty() && res) f.message = trimmed(PQresultErrorMessage(res));
    if (f.message.empty() && conn) f.message = trimmed(PQerrorMessage(conn));
    if (f.message.empty()) f.message = "unknown error";
    return f;
}

std::exception_ptr typed_error(ErrorFields f, bool lost) {
    const std::string& s = f.sqlstate;
    if (s == "08007") return make<InDoubtError>(std::move(f));
    if (lost || is_connection_sqlstate(s)) return make<ConnectionError>(std::move(f));
    if (s.size() == 5 && s[0] == '2' && s[1] == '3') {
        if (s == "23505") return make<UniqueConstraintError>(std::move(f));
        if (s == "23503") return make<ForeignKeyConstraintError>(std::move(f));
        if (s == "23502") return make<NotNullConstraintError>(std::move(f));
        if (s == "23514") return make<CheckConstraintError>(std::move(f));
        return make<IntegrityError>(std::move(f));
    }
    if (s.size() == 5 && s[0] == '4' && s[1] == '0') {
        if (s == "40001") return make<SerializationError>(std::move(f));
        if (s == "40P01") return make<DeadlockError>(std::move(f));
        return make<TransactionRollbackError>(std::move(f));
    }
    return make<DatabaseError>(std::move(f));
}

}  // namespace pothos::detail
