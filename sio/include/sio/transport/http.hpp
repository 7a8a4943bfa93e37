// What the transport hands to the layers above: HTTP requests and responses as plain values,
// and accepted WebSocket connections as channels. Nothing here depends on Boost.Beast, so the
// Engine.IO layer and applications compile without it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio::transport {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent
  std::string_view path() const;
  std::string_view query() const;  // after '?', empty when none
  // Value of a query parameter, percent-decoded; nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;

  // Header names are lower-cased; repeated headers keep their order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view header(std::string_view lower_case_name) const;  // empty when absent
  bool has_header(std::string_view lower_case_name) const;

  std::string body;
  // The body was over the server's limit and was not read; the connection closes after the
  // answer (Engine.IO answers 413 and closes the session).
  bool body_too_large = false;
  // The client's address: the TCP peer's, or, when the peer is a trusted proxy
  // (HttpServerOptions::trusted_proxies), the one its X-Forwarded-For names.
  std::string remote_address;
  std::string peer_address;  // the TCP peer's, always
  bool websocket_upgrade = false;
  bool keep_alive = true;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=UTF-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close_connection = false;

  static HttpResponse text(unsigned status, std::string body);
  static HttpResponse json(unsigned status, std::string body);
};

// Answers one request; call it once, from any thread.
using Responder = std::function<void(HttpResponse)>;

// An accepted WebSocket connection. Its methods must be called on the loop it lives on
// (`loop()`); handlers are called there too.
class WebSocketChannel {
 public:
  struct Handler {
    virtual ~Handler() = default;
    // `data` is valid only during the call.
    virtual void on_frame(std::string_view data, bool binary) = 0;
    // The connection is gone (closed by either side or failed). Called once.
    virtual void on_closed(bool error) = 0;
  };

  // What one queued message costs beyond its bytes in queued_bytes() (its queue entry, its
  // frame header, its share of the bytes' allocation), so that the bound holds for floods of
  // empty messages too.
  static constexpr std::size_t per_message_cost = 64;

  virtual ~WebSocketChannel() = default;
  virtual void set_handler(std::shared_ptr<Handler> handler) = 0;
  // Queues one message; the shared bytes may go to many channels at once.
  virtual void send(std::shared_ptr<const std::string> data, bool binary) = 0;
  // Sends a close frame after the queued messages and ends the connection.
  virtual void close() = 0;
  // Frames the peer may send, at most (larger ones close the connection).
  virtual void set_max_message_size(std::uint64_t bytes) = 0;
  // Bytes the queue may hold, at most (0: no bound). A message (or an answer to the peer's
  // ping) past it ends the connection as failed: a reader this far behind is not coming back,
  // and its queue must not grow without bound. The queue is dropped at once; on_closed(true)
  // follows from the loop, never from within send().
  virtual void set_max_queued_bytes(std::size_t bytes) = 0;
  // Messages queued and not yet written.
  virtual std::size_t queued() const = 0;
  // Their bytes, counting each message's bytes once per channel (shared or not) plus
  // per_message_cost.
  virtual std::size_t queued_bytes() const = 0;
  virtual std::size_t loop() const = 0;
};

// Accepts (or refuses) a WebSocket upgrade request. Exactly one of the two is called.
struct WebSocketUpgrade {
  // Completes the WebSocket handshake; `on_open` receives the channel on the same loop.
  std::function<void(std::function<void(std::shared_ptr<WebSocketChannel>)> on_open)> accept;
  std::function<void(HttpResponse)> refuse;
};

// Something mounted on a path of the HTTP server (an Engine.IO server, an application).
class HttpEndpoint {
 public:
  virtual ~HttpEndpoint() = default;
  // The loop that should handle this request, when it matters (a request for an existing
  // session goes to the session's loop; the connection then moves there). nullopt: any loop.
  virtual std::optional<std::size_t> loop_for(const HttpRequest& request) const {
    (void)request;
    return std::nullopt;
  }
  virtual void on_request(HttpRequest&& request, Responder respond) = 0;
  virtual void on_websocket(HttpRequest&& request, WebSocketUpgrade upgrade) {
    (void)request;
    upgrade.refuse(HttpResponse::text(400, "WebSocket not supported here"));
  }
};

}  // namespace sio::transport
