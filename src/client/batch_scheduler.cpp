// The DataLoaders' shared scheduler: a time-ordered queue and a few threads.
#include <pothos/batch_scheduler.hpp>

#include <algorithm>

namespace pothos {

BatchScheduler::BatchScheduler(std::size_t threads) {
    threads = std::max<std::size_t>(threads, 1);
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

BatchScheduler::~BatchScheduler() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
}

std::shared_ptr<BatchScheduler> BatchScheduler::shared() {
    static const std::shared_ptr<BatchScheduler> instance = std::make_shared<BatchScheduler>(
        std::max(2u, std::thread::hardware_concurrency()));
    return instance;
}

BatchScheduler::Ticket BatchScheduler::schedule(Clock::time_point at, std::function<void()> task) {
    Ticket ticket;
    bool earliest;
    {
        std::lock_guard<std::mutex> lk(mu_);
        ticket = Ticket(at, ++next_id_);
        const auto it = tasks_.emplace(ticket, std::move(task)).first;
        earliest = it == tasks_.begin();
    }
    // A thread sleeping until an earlier task wakes in time for this one.
    if (earliest) cv_.notify_one();
    return ticket;
}

bool BatchScheduler::cancel(const Ticket& ticket) noexcept {
    std::lock_guard<std::mutex> lk(mu_);
    return tasks_.erase(ticket) == 1;
}

std::size_t BatchScheduler::queued() const {
    std::lock_guard<std::mutex> lk(mu_);
    return tasks_.size();
}

// When stopping, everything still queued runs at once, so no loader waits
// for a timer that will never fire.
void BatchScheduler::run() {
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
        if (tasks_.empty()) {
            if (stopping_) return;
            cv_.wait(lk);
            continue;
        }
        auto first = tasks_.begin();
        const Clock::time_point due = first->first.first;  // the node may go while we wait
        if (!stopping_ && due > Clock::now()) {
            cv_.wait_until(lk, due);
            continue;
        }
        std::function<void()> task = std::move(first->second);
        tasks_.erase(first);
        lk.unlock();
        task();
        lk.lock();
    }
}

}  // namespace pothos
