// BatchScheduler: a few threads shared by every DataLoader that uses it,
// running their batches and their batch-window timers. A loader therefore
// costs no thread of its own (the per-request loader the DataLoader pattern
// recommends is cheap), and load() never runs a batch on its caller's thread:
// a full batch is handed to the scheduler, as is the batch whose window ends.
//
// BatchScheduler::shared() is the process-wide default (created on first use
// with max(2, hardware threads) threads). An application may make its own,
// e.g. to bound how many batches run at once, and pass it in
// DataLoaderOptions::scheduler.
//
// Thread safety: thread-safe. Destroying a scheduler runs the tasks still
// queued at once (timers included), then joins its threads; loaders keep the
// scheduler they use alive (shared_ptr).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace pothos {

class BatchScheduler {
public:
    using Clock = std::chrono::steady_clock;

    explicit BatchScheduler(std::size_t threads = 2);
    ~BatchScheduler();
    BatchScheduler(const BatchScheduler&) = delete;
    BatchScheduler& operator=(const BatchScheduler&) = delete;

    static std::shared_ptr<BatchScheduler> shared();

    // Identifies a scheduled task, for cancel().
    using Ticket = std::pair<Clock::time_point, std::uint64_t>;

    // Runs task on a scheduler thread at (or soon after) at; a time in the
    // past means as soon as a thread is free. Tasks must not throw. A
    // sleeping thread is woken only when the task is the earliest queued.
    Ticket schedule(Clock::time_point at, std::function<void()> task);
    // Removes a task that has not started; false when it has (or is unknown).
    bool cancel(const Ticket& ticket) noexcept;
    std::size_t threads() const noexcept { return threads_.size(); }
    std::size_t queued() const;

private:
    void run();

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::map<Ticket, std::function<void()>> tasks_;
    std::uint64_t next_id_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace pothos
