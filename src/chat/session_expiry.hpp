// Ends connections when their token expires, at the token's `exp`, also when the client is
// idle (the seed checked expiry only at the next event, so an idle socket kept receiving).
//
// Cheap per connection and nothing per ping: each event loop has one timer, armed for the
// earliest deadline of an ordered set of (deadline, socket) holding that loop's sockets. A
// watched socket costs one set node (~48 bytes); connecting and disconnecting are O(log n)
// on the socket's own loop, with no lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "sio/socketio/server.hpp"
#include "sio/transport/event_loops.hpp"

namespace parley::chat {

class SessionExpiry {
 public:
  // Called on the socket's loop when its deadline has come (it is no longer watched then).
  using Expire = std::function<void(sio::Socket&)>;

  SessionExpiry(sio::transport::EventLoops& loops, Expire expire);
  // Destroy it after the loops have stopped.
  ~SessionExpiry();
  SessionExpiry(const SessionExpiry&) = delete;
  SessionExpiry& operator=(const SessionExpiry&) = delete;

  // On the socket's loop: expire `socket` at `deadline_ms` (milliseconds since the Unix epoch).
  void watch(sio::Socket& socket, std::int64_t deadline_ms);
  // On the socket's loop, before it goes away: no longer watch it (nothing if it is not).
  void forget(sio::Socket& socket, std::int64_t deadline_ms);
  // Sockets watched on `loop` (call it on that loop).
  std::size_t watched(std::size_t loop) const;

 private:
  struct Loop;
  void arm(Loop& loop, std::int64_t deadline_ms);
  void fire(Loop& loop);

  Expire expire_;
  std::vector<std::unique_ptr<Loop>> loops_;
};

}  // namespace parley::chat
