// Connection-string checks (see conninfo.hpp).
#include "conninfo.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <memory>

#include <libpq-fe.h>

#include <pothos/errors.hpp>

#include "strings.hpp"

namespace pothos::detail {
namespace {

bool one_of(const std::string& v, std::initializer_list<const char*> allowed) {
    return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; });
}

bool whole_number(const std::string& v) {
    std::size_t i = 0;
    while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
    const std::size_t digits = i;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
    if (i == digits) return false;
    while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    return i == v.size();
}

std::size_t list_size(const std::string& v) {
    return v.empty() ? 1 : static_cast<std::size_t>(std::count(v.begin(), v.end(), ',')) + 1;
}

}  // namespace

void check_conninfo(const std::string& conninfo, const std::string& variable) {
    char* err = nullptr;
    std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> opts(
        PQconninfoParse(conninfo.c_str(), &err), PQconninfoFree);
    if (!opts) {
        std::string why = err ? err : "out of memory";
        if (err) PQfreemem(err);
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        throw ConfigError(variable, "not a valid libpq connection string: " + why);
    }
    std::string hosts, ports;
    for (PQconninfoOption* o = opts.get(); o->keyword; ++o) {
        if (!o->val) continue;
        const std::string key = o->keyword, v = o->val;
        auto refuse = [&](const std::string& what) {
            throw ConfigError(variable, "invalid " + key + " value '" + v + "': " + what);
        };
        if (key == "sslmode" &&
            !one_of(v, {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}))
            refuse("expected disable, allow, prefer, require, verify-ca or verify-full");
        if (key == "gssencmode" && !one_of(v, {"disable", "prefer", "require"}))
            refuse("expected disable, prefer or require");
        if (key == "channel_binding" && !one_of(v, {"disable", "prefer", "require"}))
            refuse("expected disable, prefer or require");
        if (key == "target_session_attrs" &&
            !one_of(v, {"any", "read-write", "read-only", "primary", "standby", "prefer-standby"}))
            refuse("expected any, read-write, read-only, primary, standby or prefer-standby");
        if ((key == "connect_timeout" || key == "keepalives" || key == "keepalives_idle" ||
             key == "keepalives_interval" || key == "keepalives_count" ||
             key == "tcp_user_timeout") &&
            !whole_number(v))
            refuse("expected a whole number");
        if (key == "port") {
            ports = v;
            for (const auto& p : split_list(v)) {
                const bool digits = !p.empty() && std::all_of(p.begin(), p.end(), [](char c) {
                    return std::isdigit(static_cast<unsigned char>(c));
                });
                if (!digits || p.size() > 5 || std::stoi(p) < 1 || std::stoi(p) > 65535)
                    refuse("expected port numbers from 1 to 65535");
            }
        }
        if (key == "host" || (key == "hostaddr" && hosts.empty())) hosts = v;
    }
    if (!ports.empty() && list_size(ports) > 1 && list_size(ports) != list_size(hosts))
        throw ConfigError(variable, "port lists " + std::to_string(list_size(ports)) +
                                        " ports for " + std::to_string(list_size(hosts)) + " hosts");
}

}  // namespace pothos::detail
