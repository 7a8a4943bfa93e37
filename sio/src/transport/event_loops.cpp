// One io_context per thread; see event_loops.hpp.
#include "sio/transport/event_loops.hpp"

#include "sio/util/thread_name.hpp"
#include "util/exception_text.hpp"

#include <cstdio>
#include <mutex>
#include <string>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/dispatch.hpp>

namespace sio::transport {

namespace {
// The loop this thread runs, and of which EventLoops: a program may have several (a pool of
// worker loops beside the I/O loops), whose loop numbers mean different threads.
thread_local std::size_t current_loop = EventLoops::npos;
thread_local const EventLoops* current_owner = nullptr;
}  // namespace

// Pending handlers of one loop may own objects of another (a server shared by every loop, a
// session whose connection lives elsewhere). Destroying them as each context is destroyed in
// turn would close sockets of contexts already gone; so every context first drops its pending
// work (shutdown) while all of them still exist, and only then are they destroyed.
struct EventLoops::Context : boost::asio::io_context {
  explicit Context(int concurrency_hint) : io_context(concurrency_hint) {}
  using boost::asio::io_context::shutdown;  // protected in execution_context; safe to repeat
};

struct EventLoops::Mailbox {
  std::mutex mutex;
  std::vector<std::function<void()>> pending;
  bool scheduled = false;  // a drain is posted and has not yet taken the pending work
  // What a drain runs: swapped with `pending`, so that both keep their capacity and a busy
  // loop does not allocate a new vector per drain. Its loop's thread only.
  std::vector<std::function<void()>> running;
};

struct EventLoops::Guard {
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
};

EventLoops::EventLoops(std::size_t threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is run by its own thread only, which lets Asio keep one
    // queue per thread; posting from other threads stays safe (the scheduler still locks).
    contexts_.push_back(std::make_unique<Context>(1));
    guards_.push_back(std::make_unique<Guard>(Guard{boost::asio::make_work_guard(*contexts_.back())}));
    mailboxes_.push_back(std::make_unique<Mailbox>());
  }
}

EventLoops::~EventLoops() {
  stop();
  join();
  for (auto& mailbox : mailboxes_) mailbox->pending.clear();
  for (auto& context : contexts_) context->shutdown();
}

boost::asio::io_context& EventLoops::context(std::size_t loop) { return *contexts_.at(loop); }

void EventLoops::post(std::size_t loop, std::function<void()> fn) {
  auto& mailbox = *mailboxes_[loop];
  bool wake;
  {
    std::lock_guard lock(mailbox.mutex);
    mailbox.pending.push_back(std::move(fn));
    wake = !mailbox.scheduled;
    mailbox.scheduled = true;
  }
  if (wake) boost::asio::post(*contexts_[loop], [this, loop] { drain(loop); });
}

void EventLoops::drain(std::size_t loop) {
  auto& mailbox = *mailboxes_[loop];
  auto& work = mailbox.running;
  {
    std::lock_guard lock(mailbox.mutex);
    work.swap(mailbox.pending);
    mailbox.scheduled = false;
  }
  for (auto& fn : work) {
    try {
      fn();
    } catch (...) {
      // One task's failure must not drop the tasks posted after it.
      report_error("a task posted to event loop " + std::to_string(loop) + " failed: " + util::current_exception_text());
    }
  }
  work.clear();
}

void EventLoops::dispatch(std::size_t loop, std::function<void()> fn) {
  if (current_owner == this && current_loop == loop) {
    fn();
  } else {
    post(loop, std::move(fn));
  }
}

void EventLoops::start() {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      current_owner = this;
      current_loop = i;
      util::name_this_thread("sio-loop-" + std::to_string(i));
      run(i);
      current_loop = npos;
      current_owner = nullptr;
    });
  }
}

// A handler that throws ends io_context::run() on its thread; the loop's other work (every
// connection on it) would stop with it. The last resort: report, and run on.
void EventLoops::run(std::size_t loop) {
  for (;;) {
    try {
      contexts_[loop]->run();
      return;
    } catch (...) {
      report_error("a handler on event loop " + std::to_string(loop) + " failed: " + util::current_exception_text());
    }
  }
}

void EventLoops::set_error_reporter(ErrorReporter reporter) {
  std::lock_guard lock(reporter_mutex_);
  reporter_ = std::move(reporter);
}

void EventLoops::report_error(std::string_view what) const {
  ErrorReporter reporter;
  {
    std::lock_guard lock(reporter_mutex_);
    reporter = reporter_;
  }
  if (reporter) {
    try {
      reporter(what);
      return;
    } catch (...) {
      // A reporter that fails must not take the loop with it: fall back to stderr.
    }
  }
  std::fprintf(stderr, "sio: %.*s\n", static_cast<int>(what.size()), what.data());
}

void EventLoops::stop() {
  for (auto& guard : guards_) guard->work.reset();
  for (auto& context : contexts_) context->stop();
}

void EventLoops::join() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

std::size_t EventLoops::current() { return current_loop; }

}  // namespace sio::transport
