// Param construction and the exact key of a parameter list.
#include <pothos/params.hpp>

#include <cstring>

namespace pothos {

Param Param::text(std::string value) {
    if (std::memchr(value.data(), '\0', value.size()))
        throw UsageError("a text parameter contains a NUL byte, which PostgreSQL text cannot "
                         "hold; send binary data as pothos::Bytes (bytea)");
    Param p;
    p.data_ = std::move(value);
    p.present_ = true;
    return p;
}

Param Param::binary(std::string bytes, unsigned type_oid) {
    Param p;
    p.data_ = std::move(bytes);
    p.type_ = type_oid;
    p.present_ = true;
    p.binary_ = true;
    return p;
}

namespace detail {

// Per parameter: 'N', or 'T'/'B' + type + ':' + length + ':' + bytes.
void append_key(std::string& out, const Params& params) {
    for (const auto& p : params) {
        if (p.is_null()) {
            out += 'N';
            continue;
        }
        out += p.is_binary() ? 'B' : 'T';
        out += std::to_string(p.type());
        out += ':';
        out += std::to_string(p.data().size());
        out += ':';
        out += p.data();
    }
}

}  // namespace detail
}  // namespace pothos
