// The threads that run everything: one Asio event loop per thread ("loop"), no shared locks on
// the I/O path. A connection, its Engine.IO session and its Socket.IO sockets live on one loop
// for their whole life; work for another loop is posted to it as a message.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sio::transport {

class EventLoops {
 public:
  // `threads` == 0 means one loop per hardware thread.
  explicit EventLoops(std::size_t threads = 0);
  ~EventLoops();
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t loop);

  // Runs `fn` on `loop` (later, even when called from that loop). Posts from other threads
  // go through the loop's mailbox: many of them wake the loop once (a store thread completing
  // a batch of messages does not wake a loop per message), in the order they were posted.
  void post(std::size_t loop, std::function<void()> fn);
  // Runs `fn` on `loop`: now when called on that loop of this EventLoops, else posted.
  void dispatch(std::size_t loop, std::function<void()> fn);

  // Starts one thread per loop; returns at once.
  void start();
  // Asks every loop to finish its work and stop; safe from any thread, signal handlers excepted.
  void stop();
  // Waits for the loop threads to end (after stop()).
  void join();

  // Where the library reports what it cannot hand to anyone: an exception thrown by the code
  // it calls (an endpoint, a handler, a posted task), caught at the boundary so that only the
  // connection concerned is closed and the loop goes on. Set it before start().
  using ErrorReporter = std::function<void(std::string_view what)>;
  void set_error_reporter(ErrorReporter reporter);  // default: a line on stderr
  void report_error(std::string_view what) const;    // any thread

  // The index of the loop running on this thread (in whichever EventLoops runs it), or npos
  // on a thread that is not a loop.
  static std::size_t current();
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  struct Guard;
  struct Mailbox;
  void drain(std::size_t loop);
  void run(std::size_t loop);
  struct Context;  // an io_context whose pending work can be dropped before it is destroyed
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<std::unique_ptr<Guard>> guards_;
  std::vector<std::unique_ptr<Mailbox>> mailboxes_;
  std::vector<std::thread> threads_;
  mutable std::mutex reporter_mutex_;
  ErrorReporter reporter_;
};

}  // namespace sio::transport
