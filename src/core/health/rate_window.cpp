// rate_window.cpp -- see rate_window.h.
#include "core/health/rate_window.h"

namespace pothos::core {

void RateWindow::clear() noexcept {
    next = 0;
    count = 0;
    for (int i = 0; i < kSlots; i++) ts[i] = 0, total[i] = 0;
}

bool RateWindow::observe(int64_t now, double value, int64_t window_us, int64_t min_gap_us, double* rate) noexcept {
    if (count > 0) {
        uint32_t newest = (next + kSlots - 1) % kSlots;
        if (value < total[newest] || now < ts[newest]) clear();
    }
    bool known = false;
    // The oldest sample inside the window, before adding this one.
    for (uint32_t k = 0; k < count; k++) {
        uint32_t i = (next + kSlots - count + k) % kSlots;
        int64_t age = now - ts[i];
        if (age > window_us) continue;
        if (age >= 1000000) {
            *rate = (value - total[i]) / (static_cast<double>(age) / 1e6);
            known = true;
        }
        break;
    }
    bool keep = count == 0 || now - ts[(next + kSlots - 1) % kSlots] >= min_gap_us;
    if (keep) {
        ts[next] = now;
        total[next] = value;
        next = (next + 1) % kSlots;
        if (count < static_cast<uint32_t>(kSlots)) count++;
    }
    return known;
}

}  // namespace pothos::core
