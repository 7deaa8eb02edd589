// Request tagging: statements of one unit of work carry the same W3C trace id
// in a sqlcommenter comment, /*traceparent='00-<trace>-<span>-01'*/, so the
// server side can group an N+1 burst spread over several pooled connections.
//
// Thread safety: the functions are safe from any thread; a RequestScope
// belongs to the thread that made it (it sets that thread's request id).
#pragma once

#include <string>
#include <string_view>

namespace pothos {

// The 32-hex-digit trace id for a request id: used as is when it already is
// one, otherwise derived from it by hashing (stable for the same id).
std::string trace_id_for(std::string_view request_id);
// "00-<trace id>-<fresh span id>-01"
std::string traceparent_for(std::string_view request_id);
// sql with the sqlcommenter comment appended (before a trailing ';').
std::string tag_sql(const std::string& sql, std::string_view request_id);

// The request id of the current thread's unit of work, for code that cannot
// pass it explicitly. Scopes nest; the innermost wins.
class RequestScope {
public:
    explicit RequestScope(std::string request_id);
    ~RequestScope();
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;
    static const std::string& current() noexcept;

private:
    std::string previous_;
};

}  // namespace pothos
