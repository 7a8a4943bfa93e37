// An HTTP/1.1 + WebSocket server on Boost.Beast that routes by path prefix to endpoints.
// Every loop accepts on the same port (SO_REUSEPORT), so connections spread over the loops
// without a hand-off; a connection whose request belongs to another loop (see
// HttpEndpoint::loop_for) moves there before the request is handled.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sio/transport/event_loops.hpp"
#include "sio/transport/http.hpp"

namespace sio::transport {

struct HttpServerOptions {
  // Addresses to listen on, all with the same port ("0.0.0.0", "::1", ...).
  std::vector<std::string> hosts = {"127.0.0.1"};
  std::uint16_t port = 0;                     // 0: any free port (see HttpServer::port())
  std::uint64_t max_body_bytes = 1'100'000;   // larger bodies get 413
  std::uint32_t max_header_bytes = 16 * 1024;
  // Slow clients. A request's head (request line and headers) must arrive whole within
  // header_timeout_seconds of its first byte (of the connection's opening, for its first
  // request), its body within body_timeout_seconds after the head; between two requests a
  // connection may wait idle_timeout_seconds. Past any of them the connection is closed.
  std::uint32_t header_timeout_seconds = 10;
  std::uint32_t body_timeout_seconds = 30;
  std::uint32_t idle_timeout_seconds = 120;
  // An HTTP answer not written in this time, or a WebSocket write that makes no progress for
  // this long (the peer reads nothing), closes the connection (a WebSocket's session then ends
  // with "transport error").
  std::uint32_t write_timeout_seconds = 30;
  // Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For names the client: see
  // HttpRequest::remote_address. listen() throws std::invalid_argument for a bad entry.
  std::vector<std::string> trusted_proxies = {};
  // Open TCP connections (HTTP and WebSocket) per client address, at most; one more is closed
  // as soon as it is accepted. 0: no cap. Trusted proxies are exempt, and loopback addresses
  // unless `limit_loopback` (benchmarks and local reverse proxies connect from there).
  std::uint32_t max_connections_per_address = 256;
  bool limit_loopback = false;
};

class HttpServer {
 public:
  HttpServer(EventLoops& loops, HttpServerOptions options);
  ~HttpServer();

  // Requests whose path starts with `prefix` go to `endpoint` (longest prefix wins). Mount
  // before listen().
  void mount(std::string prefix, std::shared_ptr<HttpEndpoint> endpoint);
  // Everything no prefix matches (default: 404).
  void set_fallback(std::shared_ptr<HttpEndpoint> endpoint);

  // Binds and starts accepting on every loop; throws std::system_error when it cannot bind.
  void listen();
  std::uint16_t port() const;
  // Stops accepting new connections (existing ones go on).
  void stop_accepting();

 public:
  struct Impl;  // public so the connections in the .cpp can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sio::transport
