// An Engine.IO v4 server: sessions over HTTP long-polling and WebSocket, the upgrade between
// them, heartbeats, payload limits, CORS. Mounted on a transport::HttpServer at its path.
//
// Threading: a session lives on one event loop. Its callbacks run there, and its methods must
// be called there (use EventLoops::dispatch with Session::loop() from elsewhere).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sio/engineio/packet.hpp"
#include "sio/transport/event_loops.hpp"
#include "sio/transport/http.hpp"

namespace sio::engineio {

enum class TransportKind { polling, websocket };

// Why a session ended; the strings are those of the Node server.
enum class CloseReason {
  transport_close,  // the client closed ("transport close")
  transport_error,  // the connection failed or broke a limit ("transport error")
  ping_timeout,     // no pong in time ("ping timeout")
  parse_error,      // the client sent something that is not Engine.IO ("parse error")
  forced_close,     // the server closed it ("forced close")
  server_shutdown,  // the whole server is stopping ("server shutting down")
};
const char* to_string(CloseReason reason) noexcept;

// Safe by default: with no allow-list any page may read the answers (Access-Control-Allow-
// Origin: *) but never with the user's cookies; a browser sends those, and reads what comes
// back, only for an origin of an explicit allow-list, and only when `credentials` says so.
struct CorsOptions {
  bool enabled = true;
  // Allowed origins ("https://chat.example"); empty, or an entry "*": any origin, answered
  // with "*" and never with Access-Control-Allow-Credentials. Otherwise an allowed Origin is
  // echoed back (with Vary: Origin) and any other gets no CORS headers.
  std::vector<std::string> origins = {};
  // Access-Control-Allow-Credentials: true for an origin of the allow-list (never for "*").
  bool credentials = false;
};

// Engine.IO's error codes for refused requests (HTTP 400/403, body {"code":N,"message":...}).
enum class ErrorCode : int {
  unknown_transport = 0,
  unknown_session = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

struct ServerOptions {
  std::string path = "/engine.io/";
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::chrono::milliseconds upgrade_timeout{10000};
  std::uint64_t max_payload = 1'000'000;  // bytes per HTTP body or WebSocket message
  bool allow_polling = true;
  bool allow_websocket = true;
  bool allow_upgrades = true;
  CorsOptions cors;
  // Bytes a session may hold for a client that does not read them (polling: packets not yet
  // fetched; WebSocket: messages not yet written to the socket), counting each packet's bytes
  // (shared by many sessions or not) plus WebSocketChannel::per_message_cost. A packet past it
  // closes the session ("transport error"). 4 MiB passes a healthy burst (10,000 chat messages
  // at once are about 1.6 MB) and bounds what a client that stops reading can cost.
  std::size_t max_buffered_bytes = 4 * 1024 * 1024;
  // New sessions per client address: `handshake_rate` per second, bursts up to
  // `handshake_burst`. 0 disables the limit. Loopback addresses are exempt when
  // `limit_loopback` is false (a reverse proxy on the same machine).
  double handshake_rate = 0;
  double handshake_burst = 0;
  bool limit_loopback = false;
  // Called for every handshake (polling or WebSocket); returning a message refuses it with
  // 403 {"code":4,"message":...}. Runs on a loop thread: keep it quick.
  std::function<std::optional<std::string>(const transport::HttpRequest&)> allow_request;
};

class Session {
 public:
  virtual ~Session() = default;

  virtual const std::string& id() const = 0;
  virtual std::size_t loop() const = 0;
  virtual TransportKind transport() const = 0;
  virtual bool is_open() const = 0;
  // The request that opened the session: headers, query, remote address. Without its body and
  // the headers of its own connection (connection, upgrade, keep-alive, te, sec-websocket-*).
  virtual const transport::HttpRequest& request() const = 0;
  // The same, shareable (the Socket.IO layer keeps it in every socket's handshake).
  virtual std::shared_ptr<const transport::HttpRequest> shared_request() const = 0;

  // Queues a message packet (shared bytes: see OutboundPacket).
  virtual void send(const OutboundPacket& packet) = 0;
  void send_text(std::string_view message) { send(OutboundPacket::text(PacketType::message, message)); }
  void send_binary(std::string bytes) { send(OutboundPacket::binary_message(std::move(bytes))); }
  // Packets queued and not yet written, and their bytes (as ServerOptions::max_buffered_bytes
  // counts them).
  virtual std::size_t buffered() const = 0;
  virtual std::size_t buffered_bytes() const = 0;

  // Closes the session (reason forced_close); queued packets are flushed first.
  virtual void close() = 0;

  // Set by the layer above in the connection handler.
  // A message from the client; the view is valid during the call only.
  std::function<void(const PacketView& message)> on_message;
  // The session ended; called once, last.
  std::function<void(CloseReason reason)> on_close;
};

class Server : public transport::HttpEndpoint {
 public:
  Server(transport::EventLoops& loops, ServerOptions options);
  ~Server() override;

  const ServerOptions& options() const;
  // Called on the session's loop for every new session, before any message arrives.
  void on_connection(std::function<void(const std::shared_ptr<Session>&)> handler);
  // Closes every session (reason server_shutdown); safe from any thread.
  void close_all();
  // Sessions open now, over all loops (approximate while they change).
  std::size_t session_count() const;

  std::optional<std::size_t> loop_for(const transport::HttpRequest& request) const override;
  void on_request(transport::HttpRequest&& request, transport::Responder respond) override;
  void on_websocket(transport::HttpRequest&& request, transport::WebSocketUpgrade upgrade) override;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sio::engineio
