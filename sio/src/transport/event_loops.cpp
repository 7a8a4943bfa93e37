// One io_context per thread; see event_loops.hpp.
#include "sio/transport/event_loops.hpp"

#include "sio/util/thread_name.hpp"

#include <cstdio>
#include <mutex>

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
  for (auto& fn : work) fn();
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
      contexts_[i]->run();
      current_loop = npos;
      current_owner = nullptr;
    });
  }
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

void EventLoops::set_error_reporter(ErrorReporter reporter) { reporter_ = std::move(reporter); }

void EventLoops::report_error(std::string_view what) const {
  if (reporter_) {
    reporter_(what);
  } else {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(what.size()), what.data());
  }
}

}  // namespace sio::transport
