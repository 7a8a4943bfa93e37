// One Socket.IO v5 client connection over Engine.IO v4 on a WebSocket: connects (from a chosen
// loopback source address), opens the main namespace with an auth payload, answers pings, and
// hands CONNECT, events, acks and the end of the connection to its owner. It knows nothing of
// chat; the worker that owns it does. Also the HTTP long-polling handshake for the handshake
// mode. The Beast code lives in client.cpp and polling.cpp only; this header has no Boost in it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}
namespace sio::socketio {
class PacketDecoder;
}

namespace parley_bench {

// Where every connection goes, prepared once per run.
struct ClientTarget {
  std::string address;      // numeric
  uint16_t port = 0;
  std::string host_header;  // "127.0.0.1:3000"
  std::string path;         // "/socket.io/"
};

class Connection;

// Implemented by the connection's owner; called on the owner's io_context thread.
class ConnectionEvents {
 public:
  virtual ~ConnectionEvents() = default;
  virtual void on_connected(Connection& connection) = 0;  // CONNECT acknowledged by the server
  virtual void on_event(Connection& connection, std::string_view name, std::string_view first_arg) = 0;
  virtual void on_ack(Connection& connection, uint64_t id, std::string_view first_arg) = 0;
  // Exactly once per connection; `error` is empty after a close we asked for.
  virtual void on_closed(Connection& connection, std::string_view error) = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;

  virtual void start() = 0;
  // Emits `["event", ...]` (the JSON array of name and arguments) with an ack id; returns the id.
  virtual uint64_t emit_with_ack(std::string_view event_array_json) = 0;
  virtual void close() = 0;  // WebSocket close handshake
  virtual void abort() = 0;  // drop the TCP connection now
  // Drop it with a TCP reset (SO_LINGER 0): what the server sees when a proxy or NAT between
  // it and its clients loses their connections. No close handshake, no TIME_WAIT left behind.
  virtual void reset() = 0;
  virtual std::size_t queued_frames() const = 0;

  bool connected() const { return connected_; }

  // Owner's bookkeeping.
  uint32_t user = 0;
  uint32_t slot = 0;
  int64_t started_ns = 0;

 protected:
  bool connected_ = false;
};

// `source_v4` is the host-order IPv4 address to bind before connecting (0: let the kernel
// choose). `auth_json` is the CONNECT payload, e.g. {"token":"..."}.
std::shared_ptr<Connection> make_websocket_connection(boost::asio::io_context& io, const ClientTarget& target,
                                                      uint32_t source_v4, std::string auth_json,
                                                      ConnectionEvents& events,
                                                      sio::socketio::PacketDecoder& decoder);

// Authenticated handshakes over HTTP long-polling, back to back on one keep-alive connection:
// GET open, POST CONNECT, GET until the CONNECT answer, POST close.
struct PollingCallbacks {
  std::function<std::string()> next_auth;  // CONNECT payload of the next handshake; empty: stop
  // After each handshake: ok, nanoseconds from the first request to the CONNECT answer, and why not.
  std::function<void(bool ok, int64_t latency_ns, std::string_view error)> done;
};

class PollingHandshaker {
 public:
  virtual ~PollingHandshaker() = default;
  virtual void start() = 0;
  virtual void abort() = 0;
};

std::shared_ptr<PollingHandshaker> make_polling_handshaker(boost::asio::io_context& io, const ClientTarget& target,
                                                           uint32_t source_v4, PollingCallbacks callbacks);

// Steady-clock nanoseconds, the time base of every measurement.
int64_t now_ns() noexcept;

}  // namespace parley_bench
