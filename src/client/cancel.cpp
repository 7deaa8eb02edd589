// The bounded cancel request (see cancel.hpp).
#include "cancel.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace pothos::detail {
namespace {

std::atomic<int> helpers{0};

struct CancelJob {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    bool ok = false;
};

}  // namespace

bool cancel_request(PGconn* conn, Clock::time_point until) noexcept {
    PGcancel* c = PQgetCancel(conn);  // a copy of the address and key: no I/O
    if (!c) return false;
    if (helpers.fetch_add(1) >= kMaxCancelHelpers) {
        helpers.fetch_sub(1);
        PQfreeCancel(c);
        return false;
    }
    std::shared_ptr<CancelJob> job;
    try {
        job = std::make_shared<CancelJob>();
        std::thread([c, job] {
            char err[256];
            const bool ok = PQcancel(c, err, sizeof err) == 1;
            PQfreeCancel(c);
            {
                std::lock_guard<std::mutex> lk(job->mu);
                job->done = true;
                job->ok = ok;
            }
            job->cv.notify_all();
            helpers.fetch_sub(1);
        }).detach();
    } catch (...) {  // no thread could be started
        helpers.fetch_sub(1);
        PQfreeCancel(c);
        return false;
    }
    std::unique_lock<std::mutex> lk(job->mu);
    job->cv.wait_until(lk, until, [&] { return job->done; });
    return job->done && job->ok;
}

}  // namespace pothos::detail
