// The Engine.IO server: validates each request as the Node server does, opens sessions, and
// routes polling requests and WebSocket upgrades to the session they name.
#include "sio/engineio/server.hpp"

#include <algorithm>
#include <atomic>
#include <unordered_map>

#include <boost/asio/io_context.hpp>

#include "engineio/session.hpp"
#include "sio/util/random.hpp"
#include "sio/util/rate_limiter.hpp"

namespace sio::engineio {

using transport::HttpRequest;
using transport::HttpResponse;
using transport::Responder;

const char* to_string(CloseReason reason) noexcept {
  switch (reason) {
    case CloseReason::transport_close: return "transport close";
    case CloseReason::transport_error: return "transport error";
    case CloseReason::ping_timeout: return "ping timeout";
    case CloseReason::parse_error: return "parse error";
    case CloseReason::forced_close: return "forced close";
    case CloseReason::server_shutdown: return "server shutting down";
  }
  return "unknown";
}

namespace {

constexpr std::string_view sid_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t max_loops = 64;  // a session id names its loop in its first character

const char* error_message(ErrorCode code) {
  switch (code) {
    case ErrorCode::unknown_transport: return "Transport unknown";
    case ErrorCode::unknown_session: return "Session ID unknown";
    case ErrorCode::bad_handshake_method: return "Bad handshake method";
    case ErrorCode::bad_request: return "Bad request";
    case ErrorCode::forbidden: return "Forbidden";
    case ErrorCode::unsupported_protocol_version: return "Unsupported protocol version";
  }
  return "Bad request";
}

HttpResponse error_response(ErrorCode code, std::string_view message = {}) {
  std::string body = "{\"code\":" + std::to_string(static_cast<int>(code)) + ",\"message\":";
  std::string text(message.empty() ? error_message(code) : message);
  body += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') body += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) body += c;
  }
  body += "\"}";
  return HttpResponse::json(code == ErrorCode::forbidden ? 403 : 400, std::move(body));
}

// 128 random bits from the CSPRNG, after one character naming the loop.
std::string new_session_id(std::size_t loop) {
  std::string id(1, sid_alphabet[loop % max_loops]);
  return id + util::random_token(16);
}

bool is_loopback(std::string_view address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

std::optional<std::size_t> loop_of(std::string_view sid) {
  if (sid.empty()) return std::nullopt;
  auto pos = sid_alphabet.find(sid[0]);
  if (pos == std::string_view::npos) return std::nullopt;
  return pos;
}

}  // namespace

struct Server::Impl : detail::SessionRegistry, std::enable_shared_from_this<Server::Impl> {
  transport::EventLoops& loops;
  ServerOptions options;
  std::function<void(const std::shared_ptr<Session>&)> on_connection;
  // One map per loop, touched only by that loop's thread.
  std::vector<std::unordered_map<std::string, std::shared_ptr<detail::EngineSession>>> sessions;
  std::atomic<std::size_t> count{0};

  std::unique_ptr<util::RateLimiter> limiter;
  // No allow-list: every origin, answered with "*".
  bool any_origin;

  Impl(transport::EventLoops& l, ServerOptions o)
      : loops(l),
        options(std::move(o)),
        sessions(l.size()),
        any_origin(options.cors.origins.empty() ||
                   std::find(options.cors.origins.begin(), options.cors.origins.end(), "*") != options.cors.origins.end()) {
    if (loops.size() > max_loops) throw std::invalid_argument("sio: at most 64 event loops");
    if (options.handshake_rate > 0) {
      limiter = std::make_unique<util::RateLimiter>(
          util::RateLimit{options.handshake_rate, std::max(1.0, options.handshake_burst)});
    }
  }

  void remove(const std::string& id, std::size_t loop) override {
    if (sessions[loop].erase(id)) count.fetch_sub(1, std::memory_order_relaxed);
  }

  std::shared_ptr<detail::EngineSession> find(std::string_view sid) {
    std::size_t loop = transport::EventLoops::current();
    if (loop == transport::EventLoops::npos) return nullptr;
    auto it = sessions[loop].find(std::string(sid));
    return it == sessions[loop].end() ? nullptr : it->second;
  }

  std::shared_ptr<detail::EngineSession> create(const HttpRequest& request) {
    std::size_t loop = transport::EventLoops::current();
    auto session = std::make_shared<detail::EngineSession>(new_session_id(loop), loop, loops, loops.context(loop),
                                                           options, request, *this);
    sessions[loop].emplace(session->id(), session);
    count.fetch_add(1, std::memory_order_relaxed);
    return session;
  }

  // Hands a new session to the layer above; a failure there closes that session only.
  void connected(const std::shared_ptr<detail::EngineSession>& session) {
    if (!on_connection) return;
    try {
      on_connection(session);
    } catch (...) {
      session->callback_failed("the connection handler");
    }
  }

  void limit(transport::WebSocketChannel& channel) const {
    channel.set_max_message_size(options.max_payload);
    channel.set_max_queued_bytes(options.max_buffered_bytes);
  }

  // Adds the CORS headers for the request's origin, if it is allowed (see CorsOptions).
  void add_cors(std::string_view origin, HttpResponse& response) const {
    if (!options.cors.enabled) return;
    if (any_origin) {
      response.headers.emplace_back("Access-Control-Allow-Origin", "*");
      return;
    }
    response.headers.emplace_back("Vary", "Origin");  // the answer depends on it, allowed or not
    if (origin.empty() || std::find(options.cors.origins.begin(), options.cors.origins.end(), origin) ==
                              options.cors.origins.end()) {
      return;
    }
    response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    if (options.cors.credentials) response.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  }

  // Checks what every request must carry; returns the refusal, if any.
  std::optional<HttpResponse> validate(const HttpRequest& request, bool websocket) const {
    auto eio = request.query_param("EIO");
    if (!eio || *eio != "4") return error_response(ErrorCode::unsupported_protocol_version);
    auto transport = request.query_param("transport");
    bool known = transport && ((*transport == "polling" && options.allow_polling) ||
                               (*transport == "websocket" && options.allow_websocket));
    if (!known) return error_response(ErrorCode::unknown_transport);
    if (websocket != (*transport == "websocket")) return error_response(ErrorCode::bad_request);
    return std::nullopt;
  }

  std::optional<HttpResponse> check_handshake(const HttpRequest& request) {
    if (limiter && (options.limit_loopback || !is_loopback(request.remote_address)) &&
        !limiter->take(request.remote_address)) {
      HttpResponse refusal = error_response(ErrorCode::forbidden, "Too many connections from this address");
      refusal.status = 429;
      return refusal;
    }
    if (options.allow_request) {
      if (auto refusal = options.allow_request(request)) return error_response(ErrorCode::forbidden, *refusal);
    }
    return std::nullopt;
  }
};

Server::Server(transport::EventLoops& loops, ServerOptions options)
    : impl_(std::make_shared<Impl>(loops, std::move(options))) {}

Server::~Server() = default;

const ServerOptions& Server::options() const { return impl_->options; }

void Server::on_connection(std::function<void(const std::shared_ptr<Session>&)> handler) {
  impl_->on_connection = std::move(handler);
}

std::size_t Server::session_count() const { return impl_->count.load(std::memory_order_relaxed); }

void Server::close_all() {
  for (std::size_t loop = 0; loop < impl_->loops.size(); ++loop) {
    impl_->loops.dispatch(loop, [impl = impl_, loop] {
      auto sessions = impl->sessions[loop];  // closing removes from the map
      for (auto& [id, session] : sessions) session->close_with(CloseReason::server_shutdown);
    });
  }
}

std::optional<std::size_t> Server::loop_for(const HttpRequest& request) const {
  auto sid = request.query_param("sid");
  if (!sid) return std::nullopt;
  auto loop = loop_of(*sid);
  if (!loop || *loop >= impl_->loops.size()) return std::nullopt;
  return loop;
}

void Server::on_request(HttpRequest&& request, Responder respond) {
  auto impl = impl_;
  // Every answer carries the CORS headers, errors included, so browsers can read them.
  Responder reply = [impl, origin = std::string(request.header("origin")), respond = std::move(respond)](HttpResponse r) {
    impl->add_cors(origin, r);
    respond(std::move(r));
  };

  if (request.method == "OPTIONS") {
    HttpResponse preflight = HttpResponse::text(204, "");
    preflight.headers.emplace_back("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE");
    auto requested = request.header("access-control-request-headers");
    if (!requested.empty()) preflight.headers.emplace_back("Access-Control-Allow-Headers", std::string(requested));
    reply(std::move(preflight));
    return;
  }
  if (auto refusal = impl->validate(request, false)) {
    reply(std::move(*refusal));
    return;
  }
  auto sid = request.query_param("sid");
  if (!sid) {
    if (request.method != "GET") {
      reply(error_response(ErrorCode::bad_handshake_method));
      return;
    }
    if (auto refusal = impl->check_handshake(request)) {
      reply(std::move(*refusal));
      return;
    }
    auto session = impl->create(request);
    session->open_polling(std::move(reply));
    impl->connected(session);
    return;
  }
  auto session = impl->find(*sid);
  if (!session) {
    reply(error_response(ErrorCode::unknown_session));
    return;
  }
  if (session->transport() != TransportKind::polling) {
    reply(error_response(ErrorCode::bad_request));  // polling after the upgrade
    return;
  }
  if (request.method == "GET") {
    session->on_poll(std::move(reply));
  } else if (request.method == "POST") {
    if (request.body_too_large || request.body.size() > impl->options.max_payload) {
      HttpResponse too_large = HttpResponse::text(413, "Payload Too Large");
      too_large.close_connection = true;
      reply(std::move(too_large));
      session->close_with(CloseReason::transport_error);
      return;
    }
    session->on_post(request.body, std::move(reply));
  } else {
    reply(error_response(ErrorCode::bad_request));
  }
}

void Server::on_websocket(HttpRequest&& request, transport::WebSocketUpgrade upgrade) {
  auto impl = impl_;
  if (auto refusal = impl->validate(request, true)) {
    upgrade.refuse(std::move(*refusal));
    return;
  }
  auto sid = request.query_param("sid");
  if (!sid) {
    if (auto refusal = impl->check_handshake(request)) {
      upgrade.refuse(std::move(*refusal));
      return;
    }
    upgrade.accept([impl, request = std::move(request)](std::shared_ptr<transport::WebSocketChannel> channel) {
      impl->limit(*channel);
      auto session = impl->create(request);
      session->open_websocket(std::move(channel));
      impl->connected(session);
    });
    return;
  }
  auto session = impl->find(*sid);
  if (!session) {
    upgrade.refuse(error_response(ErrorCode::unknown_session));
    return;
  }
  std::weak_ptr<detail::EngineSession> weak = session;
  upgrade.accept([impl, weak](std::shared_ptr<transport::WebSocketChannel> channel) {
    impl->limit(*channel);
    if (auto session = weak.lock()) {
      session->on_upgrade_channel(std::move(channel));
    } else {
      channel->close();
    }
  });
}

}  // namespace sio::engineio
