// security/scrub_bridge.cpp -- see security/scrub_bridge.h.
#include "extension/security/scrub_bridge.h"

#include <cstring>

#include "core/security/value_scrub.h"
#include "extension/common/guard.h"
#include "extension/common/palloc_copy.h"

namespace pothos::ext {

int scrub_sql_into(const char* s, int len, char* buf, int cap) noexcept {
    int n = 0;
    CppError err;
    bool ok = cpp_call(&err, [&] {
        std::string clean = core::scrub_sql_literals(std::string_view(s, static_cast<size_t>(len)));
        n = clean.size() > static_cast<size_t>(cap) ? cap : static_cast<int>(clean.size());
        std::memcpy(buf, clean.data(), static_cast<size_t>(n));
    });
    return ok ? n : -1;
}

char* scrub_plan_text(const char* plan) noexcept {
    char* out = nullptr;
    CppError err;
    if (!cpp_call(&err, [&] { out = palloc_copy(core::scrub_plan_values(plan)); })) return nullptr;
    return out;
}

}  // namespace pothos::ext
