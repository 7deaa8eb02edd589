// Statements on a leased connection: request tagging, deadlines, server-side
// statement_timeout, prepared statements, and instrumentation.
#include "client_core.hpp"

#include <pothos/tagging.hpp>

namespace pothos {
namespace detail {
namespace {

const std::string& request_id_for(const std::string& explicit_id, const Lease& l) {
    if (!explicit_id.empty()) return explicit_id;
    if (!l.request_id().empty()) return l.request_id();
    return RequestScope::current();
}

}  // namespace

// Waits acquire_timeout, or less when the call's own deadline comes sooner
// (then a timeout names that limit, "timeout"). Acquisition metrics come
// from the pool's observer.
Lease ClientCore::acquire(Host& h, const std::string& request_id, const Deadline& deadline,
                          const char* file, int line) {
    Lease l = deadline && *deadline.at - Clock::now() < h.pool->options().acquire_timeout
                  ? h.pool->acquire(deadline, file, line)
                  : h.pool->acquire(file, line);
    if (!request_id.empty()) l.set_request_id(request_id);
    return l;
}

Result ClientCore::run(Lease& l, const std::string& sql, const Params& params,
                       const QueryOptions& o, const Deadline& deadline) {
    const std::string& rid = request_id_for(o.request_id, l);
    const std::string tagged = rid.empty() ? std::string() : tag_sql(sql, rid);
    const std::string& text = rid.empty() ? sql : tagged;
    const auto start = Clock::now();
    try {
        Result r;
        if (!o.statement_timeout) {
            r = l->exec(text, params, deadline);
        } else {
            const std::string set =
                "SET LOCAL statement_timeout = " + std::to_string(o.statement_timeout->count());
            if (l->in_transaction()) {
                l->exec(set, {}, deadline);
                r = l->exec(text, params, deadline);
            } else {
                auto items = l->pipeline(
                    {{"BEGIN", {}}, {set, {}}, {text, params}, {"COMMIT", {}}}, true, deadline);
                if (l->in_transaction()) l->exec("ROLLBACK");
                for (auto& item : items)  // the first failure is the cause of the rest
                    if (!item.ok()) std::rethrow_exception(item.error);
                r = items[2].result;
            }
        }
        observe(sql, start, true, l);
        return r;
    } catch (...) {
        observe(sql, start, false, l);
        throw;
    }
}

std::vector<BatchItem> ClientCore::run_batch(Lease& l, const std::vector<Statement>& statements,
                                             const BatchOptions& o, const Deadline& deadline) {
    const std::string& rid = request_id_for(o.request_id, l);
    const auto start = Clock::now();
    try {
        std::vector<BatchItem> out;
        if (rid.empty()) {
            out = l->pipeline(statements, o.atomic, deadline);
        } else {
            std::vector<Statement> tagged(statements);
            for (auto& s : tagged) s.sql = tag_sql(s.sql, rid);
            out = l->pipeline(tagged, o.atomic, deadline);
        }
        bool all_ok = true;
        for (const auto& item : out) all_ok = all_ok && item.ok();
        observe("batch of " + std::to_string(statements.size()) + " statements", start, all_ok, l);
        return out;
    } catch (...) {
        observe("batch of " + std::to_string(statements.size()) + " statements", start, false, l);
        throw;
    }
}

void ClientCore::run_stream(Lease& l, const std::string& sql, const Params& params,
                            std::size_t batch_size,
                            const std::function<void(const RowBatch&)>& on_batch,
                            const QueryOptions& o, const Deadline& deadline) {
    const std::string& rid = request_id_for(o.request_id, l);
    const auto start = Clock::now();
    try {
        l->stream(rid.empty() ? sql : tag_sql(sql, rid), params, batch_size, on_batch, deadline);
        observe(sql, start, true, l);
    } catch (...) {
        observe(sql, start, false, l);
        throw;
    }
}

Result ClientCore::run_prepared(Lease& l, const std::string& name, const Params& params,
                                const QueryOptions& o, const Deadline& deadline) {
    std::string sql, server_name;
    {
        std::lock_guard<std::mutex> lk(prepared_mu);
        auto it = prepared.find(name);
        if (it == prepared.end())
            throw UsageError("prepared statement \"" + name + "\" was not registered with prepare()");
        sql = it->second.sql;
        server_name = it->second.server_name;
    }
    if (!config.prepared_statements) return run(l, sql, params, o, deadline);
    const auto start = Clock::now();
    bool ok = false;
    try {
        Result r = l->exec_prepared(server_name, sql, params, deadline);
        ok = true;
        observe(sql, start, true, l);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        std::lock_guard<std::mutex> lk(prepared_mu);
        auto it = prepared.find(name);
        if (it != prepared.end()) {
            auto& st = it->second.stats;
            ++st.usage_count;
            it->second.total_ms += ms;
            st.average_execution_time_ms = it->second.total_ms / st.usage_count;
            st.last_used = std::chrono::system_clock::now();
        }
        return r;
    } catch (...) {
        if (!ok) observe(sql, start, false, l);
        throw;
    }
}

}  // namespace detail

Session::Session(std::shared_ptr<detail::ClientCore> core, Lease lease)
    : core_(std::move(core)), lease_(std::move(lease)) {}

Result Session::query(const std::string& sql, const Params& params, const QueryOptions& o) {
    return core_->run(lease_, sql, params, o, detail::deadline_for(o.timeout));
}

std::vector<BatchItem> Session::batch(const std::vector<Statement>& statements,
                                      const BatchOptions& o) {
    return core_->run_batch(lease_, statements, o, detail::deadline_for(o.timeout));
}

void Session::stream(const std::string& sql, const Params& params, std::size_t batch_size,
                     const std::function<void(const RowBatch&)>& on_batch, const QueryOptions& o) {
    core_->run_stream(lease_, sql, params, batch_size, on_batch, o, detail::deadline_for(o.timeout));
}

Result Session::execute(const std::string& name, const Params& params, const QueryOptions& o) {
    return core_->run_prepared(lease_, name, params, o, detail::deadline_for(o.timeout));
}

}  // namespace pothos
