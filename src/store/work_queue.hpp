// A queue of jobs for a store's worker threads. Bounded: beyond the bound work is refused, not
// buffered without limit. A worker may wait with a deadline, so that it can also do timed work
// (reconnecting) while idle. Stopping lets the workers drain what is queued.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace parley::store {

template <class Job>
class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WorkQueue(std::size_t bound) : bound_(bound) {}

  // Takes the job only when accepted (refused: stopping or full), so the caller can still fail it.
  bool push(Job&& job) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || jobs_.size() >= bound_) return false;
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
    return true;
  }

  // Waits until there is work, the deadline passes or the queue stops, and returns up to `limit`
  // jobs: none after a timeout, and none once stopped and drained (see finished()).
  // With `gather` > 0, once there is work and fewer than `limit` jobs, waits that much longer for
  // more to arrive (without being woken by each push) before taking them.
  std::vector<Job> take(std::size_t limit, Clock::time_point deadline = Clock::time_point::max(),
                        Clock::duration gather = Clock::duration::zero()) {
    std::unique_lock lock(mutex_);
    auto ready = [&] { return stopping_ || !jobs_.empty(); };
    if (deadline == Clock::time_point::max()) {
      ready_.wait(lock, ready);
    } else {
      ready_.wait_until(lock, deadline, ready);
    }
    if (gather > Clock::duration::zero() && !stopping_ && !jobs_.empty() && jobs_.size() < limit) {
      lock.unlock();
      std::this_thread::sleep_for(gather);
      lock.lock();
    }
    std::vector<Job> batch;
    std::size_t n = std::min(limit, jobs_.size());
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(jobs_.front()));
      jobs_.pop_front();
    }
    return batch;
  }

  bool finished() {
    std::lock_guard lock(mutex_);
    return stopping_ && jobs_.empty();
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
  }

 private:
  std::size_t bound_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
};

}  // namespace parley::store
