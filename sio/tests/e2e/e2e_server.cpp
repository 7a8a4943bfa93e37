// The application the end-to-end tests talk to with the official clients (tests/e2e/*.test.mjs
// with socket.io-client and engine.io-client in Node, python_client_test.py with
// python-socketio). One port serves:
//   /socket.io/  a Socket.IO server: echo, acks both ways, rooms, namespaces, middlewares,
//                disconnects, and a way to ask which disconnect reasons the server saw;
//   /recovery/   a second Socket.IO server with connection state recovery enabled;
//   /app-recovery/ a third whose recovery the application keeps (Socket::set_session);
//   /engine.io/  a bare Engine.IO server that echoes every message;
//   /http/       plain HTTP routes (see HttpRoutes).
//
//   sio-e2e-server [--port N] [--max-payload BYTES] [--cors-origin ORIGIN]... [--cors-credentials]
//                  [--max-buffered-bytes BYTES] [--write-timeout SECONDS] [--header-timeout SECONDS]
//                  [--body-timeout SECONDS] [--max-connections-per-address N] [--limit-loopback]
//                  [--trusted-proxy ADDRESS]... [--with-throwing-handlers]
//
// --cors-origin (repeatable) gives the Engine.IO servers a CORS allow-list, --cors-credentials
// lets its origins send credentials; --trusted-proxy (repeatable) fills trusted_proxies;
// --with-throwing-handlers adds handlers that throw (see serve_throwing, serve_engineio_echo,
// HttpRoutes), to check that the library contains their failures; the others set the
// library's options of the same names.
//
// Prints "listening on <port>" once it accepts connections (with --port 0, the port it picked).
#include <simdjson.h>

#include <algorithm>
#include <any>
#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <future>
#include <iostream>
#include <stdexcept>
#include <mutex>
#include <thread>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sio/engineio/server.hpp"
#include "sio/json.hpp"
#include "sio/socketio/server.hpp"
#include "sio/transport/http_server.hpp"

namespace {

using namespace std::chrono_literals;

// The disconnect reasons the server saw, by socket id, for every namespace of both Socket.IO
// servers; a test may ask for one before it is known (the answer then waits for it).
class DisconnectLog {
 public:
  using Waiter = std::function<void(const std::string& reason)>;

  void record(const std::string& socket_id, std::string_view reason) {
    std::vector<Waiter> ready;
    {
      std::lock_guard lock(mutex_);
      reasons_[socket_id] = std::string(reason);
      if (auto it = waiters_.find(socket_id); it != waiters_.end()) {
        ready = std::move(it->second);
        waiters_.erase(it);
      }
    }
    for (auto& waiter : ready) waiter(std::string(reason));
  }

  void when_disconnected(const std::string& socket_id, Waiter waiter) {
    std::string reason;
    {
      std::lock_guard lock(mutex_);
      auto it = reasons_.find(socket_id);
      if (it == reasons_.end()) {
        waiters_[socket_id].push_back(std::move(waiter));
        return;
      }
      reason = it->second;
    }
    waiter(reason);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> reasons_;
  std::unordered_map<std::string, std::vector<Waiter>> waiters_;
};

// The thread of each event loop, to check that the library runs a socket's code on its loop.
class LoopThreads {
 public:
  // Call once the loops run; returns when every loop has reported its thread.
  void record(sio::transport::EventLoops& loops) {
    std::vector<std::promise<std::thread::id>> reported(loops.size());
    for (std::size_t i = 0; i < loops.size(); ++i) {
      loops.post(i, [&reported, i] { reported[i].set_value(std::this_thread::get_id()); });
    }
    std::vector<std::thread::id> ids;
    for (auto& promise : reported) ids.push_back(promise.get_future().get());
    std::lock_guard lock(mutex_);  // loops read it once clients come (which the lock makes visible)
    ids_ = std::move(ids);
  }
  bool on_loop(std::size_t loop) const {
    std::lock_guard lock(mutex_);
    return loop < ids_.size() && ids_[loop] == std::this_thread::get_id();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::thread::id> ids_;
};

// Handlers run on several loops at once: one parser per thread.
simdjson::dom::parser& json_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

std::optional<std::string> string_value(std::string_view raw_json) {
  std::string_view value;
  if (json_parser().parse(raw_json.data(), raw_json.size()).get_string().get(value)) return std::nullopt;
  return std::string(value);
}

std::string string_arg(const sio::Args& args, std::size_t i) {
  if (i >= args.size()) return {};
  return string_value(args[i]).value_or(std::string());
}

std::optional<std::int64_t> integer_arg(const sio::Args& args, std::size_t i) {
  if (i >= args.size()) return std::nullopt;
  std::int64_t value = 0;
  auto raw = args[i];
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (ec != std::errc{} || end != raw.data() + raw.size()) return std::nullopt;
  return value;
}

// The arguments from `first` on, ready to send (attachment numbers stay valid: every
// attachment is kept).
sio::Payload payload_from(const sio::Args& args, std::size_t first) {
  if (first >= args.size()) return {};
  return sio::Args(args.raw().subspan(first), args.attachments()).to_payload();
}

// Known bytes for `binary-back`: every byte value once, in order.
std::string all_byte_values() {
  std::string bytes(256, '\0');
  for (int i = 0; i < 256; ++i) bytes[i] = static_cast<char>(i);
  return bytes;
}

// {"auth":..,"query":..,"header":..,"address":..,"transport":..,"kept":[..]}: what the server
// knows of the client's handshake (query parameter `e2e`, header `x-e2e`; `kept`: which headers
// of the opening request's own connection it still holds, which should be none).
std::string handshake_json(const sio::Socket& socket) {
  const auto& handshake = socket.handshake();
  std::string out = "{\"auth\":" + handshake.auth + ",\"query\":";
  auto query = handshake.query("e2e");
  out += query ? sio::json::quote(*query) : "null";
  out += ",\"header\":";
  out += handshake.request->has_header("x-e2e") ? sio::json::quote(handshake.header("x-e2e")) : "null";
  out += ",\"address\":" + sio::json::quote(handshake.address());
  out += ",\"transport\":";
  out += socket.transport() == sio::TransportKind::websocket ? "\"websocket\"" : "\"polling\"";
  out += ",\"kept\":[";
  bool first = true;
  for (const char* name : {"connection", "upgrade", "sec-websocket-key", "sec-websocket-version"}) {
    if (!handshake.request->has_header(name)) continue;
    if (!first) out += ',';
    out += sio::json::quote(name);
    first = false;
  }
  out += "]}";
  return out;
}

// The events a test client may send on a namespace it is connected to.
void serve_events(sio::Socket& socket, sio::Namespace& nsp, DisconnectLog& log) {
  socket.on_disconnect([&log](sio::Socket& s, std::string_view reason) { log.record(s.id(), reason); });

  socket.on("echo", [](sio::Socket& s, const sio::Args& args, sio::Ack) {
    s.emit_payload("echo", args.to_payload());
  });
  socket.on("echo-ack", [](sio::Socket&, const sio::Args& args, sio::Ack ack) {
    if (ack) ack.send(args.to_payload());
  });
  // ask-client(timeout_ms, ...question): asks the client `question` with an acknowledgement,
  // then reports with `ask-result`(error or null, ...the client's answer).
  socket.on("ask-client", [](sio::Socket& s, const sio::Args& args, sio::Ack) {
    auto timeout = std::chrono::milliseconds(integer_arg(args, 0).value_or(1000));
    s.emit_with_ack("question", payload_from(args, 1), timeout, [ref = s.ref()](const sio::AckReply& reply) {
      sio::Payload result;
      if (reply.error) {
        result.add(*reply.error);
      } else {
        result.add(nullptr);
      }
      for (auto raw : reply.args.raw()) result.add(sio::RawJson{std::string(raw)});
      result.attachments().assign(reply.args.attachments().begin(), reply.args.attachments().end());
      ref.post([result = std::move(result)](sio::Socket& socket) { socket.emit_payload("ask-result", result); });
    });
  });

  socket.on("join", [](sio::Socket& s, const sio::Args& args, sio::Ack ack) {
    s.join(string_arg(args, 0));
    if (ack) ack(true);
  });
  socket.on("leave", [](sio::Socket& s, const sio::Args& args, sio::Ack ack) {
    s.leave(string_arg(args, 0));
    if (ack) ack(true);
  });
  // to-room({room, msg}): `room-message`(msg) to every member of the room, the sender too.
  socket.on("to-room", [&nsp](sio::Socket&, const sio::Args& args, sio::Ack ack) {
    simdjson::dom::element request;
    std::string_view room;
    simdjson::dom::element message;
    if (args.empty() || json_parser().parse(args[0].data(), args[0].size()).get(request) ||
        request["room"].get_string().get(room) || request["msg"].get(message)) {
      if (ack) ack(false);
      return;
    }
    std::string room_name(room);
    std::string message_json = simdjson::minify(message);
    nsp.to(std::move(room_name)).emit("room-message", sio::RawJson{std::move(message_json)});
    if (ack) ack(true);
  });
  socket.on("broadcast", [](sio::Socket& s, const sio::Args& args, sio::Ack ack) {
    s.broadcast().emit_payload("broadcast-message", args.to_payload());
    if (ack) ack(true);
  });

  // burst(count, size): `burst-item`(i, text of `size` bytes) for i = 0 .. count-1, all sent
  // from this one handler, before any of them is written.
  socket.on("burst", [](sio::Socket& s, const sio::Args& args, sio::Ack) {
    auto count = integer_arg(args, 0).value_or(0);
    std::string text(static_cast<std::size_t>(std::clamp<std::int64_t>(integer_arg(args, 1).value_or(0), 0, 1'000'000)), 'x');
    for (std::int64_t i = 0; i < count; ++i) s.emit("burst-item", i, text);
  });

  socket.on("server-disconnect", [](sio::Socket& s, const sio::Args&, sio::Ack) { s.disconnect(); });
  // The socket used after its handler disconnected it: every call must be safe and do nothing
  // (no event, no ack, no room) while the handler still holds it.
  socket.on("disconnect-then-use", [](sio::Socket& s, const sio::Args&, sio::Ack ack) {
    s.disconnect();
    s.emit("after-disconnect", s.id(), s.connected());
    s.join("after-disconnect-room");
    s.to("after-disconnect-room").emit("after-disconnect", "room");
    if (ack) ack("too late");
  });
  // A handler that throws: the library reports it and closes this client's connection only.
  socket.on("throw-in-handler", [](sio::Socket&, const sio::Args&, sio::Ack) {
    throw std::runtime_error("thrown by a test handler");
  });
  socket.on("server-close", [](sio::Socket& s, const sio::Args&, sio::Ack) { s.disconnect(true); });

  socket.on("binary-back", [](sio::Socket& s, const sio::Args&, sio::Ack) {
    s.emit("binary", sio::Binary{all_byte_values()}, sio::RawJson{R"({"text":"between"})"}, sio::Binary{std::string("\xff\x00\x7f", 3)});
  });
  socket.on("handshake", [](sio::Socket& s, const sio::Args&, sio::Ack ack) {
    if (ack) ack(sio::RawJson{handshake_json(s)});
  });
  socket.on("whoami", [](sio::Socket& s, const sio::Args&, sio::Ack ack) {
    if (ack) ack(s.id(), s.recovered());
  });
  // disconnect-reason(socket_id): acknowledged with the reason the server saw when that socket
  // left, as soon as it has left.
  socket.on("disconnect-reason", [&log](sio::Socket&, const sio::Args& args, sio::Ack ack) {
    if (!ack) return;
    log.when_disconnected(string_arg(args, 0), [ack](const std::string& reason) { ack(reason); });
  });
}

void serve_namespace(sio::Server& io, std::string_view name, DisconnectLog& log) {
  sio::Namespace& nsp = io.of(name);
  nsp.on_connection([&nsp, &log](sio::Socket& socket) { serve_events(socket, nsp, log); });
}

std::optional<std::string> auth_field(const sio::Socket& socket, std::string_view key) {
  const auto& auth = socket.handshake().auth;
  std::string_view value;
  if (json_parser().parse(auth.data(), auth.size()).get_object()[key].get_string().get(value)) return std::nullopt;
  return std::string(value);
}

void serve_socketio(sio::Server& io, DisconnectLog& log, sio::transport::EventLoops& workers,
                    const LoopThreads& threads) {
  serve_namespace(io, "/", log);
  serve_namespace(io, "/custom", log);

  io.of("/refuse").use([](sio::Socket&, sio::Namespace::Next next) {
    next(sio::ConnectError{"not allowed", R"({"reason":"test"})"});
  });
  serve_namespace(io, "/refuse", log);

  io.of("/auth-check").use([](sio::Socket& socket, sio::Namespace::Next next) {
    if (auth_field(socket, "token") == "secret") {
      next(std::nullopt);
    } else {
      next(sio::ConnectError{"invalid token", {}});
    }
  });
  serve_namespace(io, "/auth-check", log);

  // One handler for every event but `own`: it acknowledges with the event's name and its
  // arguments' count.
  io.of("/any").on_connection([](sio::Socket& socket) {
    socket.on("own", [](sio::Socket&, const sio::Args&, sio::Ack ack) {
      if (ack) ack(std::string("own handler"));
    });
    socket.on_any([](sio::Socket&, std::string_view event, const sio::Args& args, sio::Ack ack) {
      if (ack) ack(std::string(event), static_cast<std::int64_t>(args.size()));
    });
  });

  // Decides a little later on a worker thread (one per loop, as a per-loop database pool
  // would be): refuses when the auth object says {deny:"yes"}. `connected-on-loop` then tells
  // whether the connection handler ran on the socket's own loop, as the library promises.
  sio::Namespace& async_nsp = io.of("/async-mw");
  async_nsp.use([&workers](sio::Socket& socket, sio::Namespace::Next next) {
    bool deny = auth_field(socket, "deny") == "yes";
    auto timer = std::make_shared<boost::asio::steady_timer>(workers.context(socket.loop()), 30ms);
    timer->async_wait([timer, deny, next = std::move(next)](const boost::system::error_code&) {
      if (deny) {
        next(sio::ConnectError{"denied later", {}});
      } else {
        next(std::nullopt);
      }
    });
  });
  async_nsp.on_connection([&async_nsp, &log, &threads](sio::Socket& socket) {
    bool on_loop = threads.on_loop(socket.loop());
    serve_events(socket, async_nsp, log);
    socket.on("connected-on-loop", [on_loop](sio::Socket&, const sio::Args&, sio::Ack ack) {
      if (ack) ack(on_loop);
    });
  });
}

// With --with-throwing-handlers, the namespace /throwing: the usual events, and
//   throw         a handler that throws;
//   throw-later   posts a task that throws to the socket's loop, then acknowledges.
void serve_throwing(sio::Server& io, DisconnectLog& log, sio::transport::EventLoops& loops) {
  sio::Namespace& nsp = io.of("/throwing");
  nsp.on_connection([&nsp, &log, &loops](sio::Socket& socket) {
    serve_events(socket, nsp, log);
    socket.on("throw", [](sio::Socket&, const sio::Args&, sio::Ack) {
      throw std::runtime_error("boom from a Socket.IO event");
    });
    socket.on("throw-later", [&loops](sio::Socket& s, const sio::Args&, sio::Ack ack) {
      loops.post(s.loop(), [] { throw std::runtime_error("boom from a posted task"); });
      if (ack) ack(true);
    });
  });
}

// Echoes every message. With `throwing`, the message "throw" throws instead, and so does the
// connection handler for a session whose handshake has the query parameter throw=connect.
void serve_engineio_echo(sio::engineio::Server& engine, bool throwing) {
  engine.on_connection([throwing](const std::shared_ptr<sio::engineio::Session>& session) {
    if (throwing && session->request().query_param("throw") == "connect") {
      throw std::runtime_error("boom from on_connection");
    }
    std::weak_ptr<sio::engineio::Session> weak = session;
    session->on_message = [weak, throwing](const sio::engineio::PacketView& message) {
      auto s = weak.lock();
      if (!s) return;
      if (throwing && !message.binary && message.data == "throw") {
        throw std::runtime_error("boom from an Engine.IO message");
      }
      if (message.binary) {
        s->send_binary(std::string(message.data));
      } else {
        s->send_text(message.data);
      }
    };
  });
}

// What the command line sets.
struct TestOptions {
  std::uint64_t port = 0;
  std::uint64_t max_payload = 1'000'000;
  std::vector<std::string> cors_origins;
  bool cors_credentials = false;
  std::optional<std::uint64_t> max_buffered_bytes;
  std::optional<std::uint64_t> write_timeout_seconds;
  std::optional<std::uint64_t> header_timeout_seconds;
  std::optional<std::uint64_t> body_timeout_seconds;
  std::optional<std::uint64_t> max_connections_per_address;
  bool limit_loopback = false;
  std::vector<std::string> trusted_proxies;
  bool throwing_handlers = false;
};

// Plain HTTP routes under /http/, as an application beside the Engine.IO servers would have:
//   /http/body  answers 200 with the length of the body it got, or 413 when it was too large;
//   /http/throw throws (with --with-throwing-handlers).
class HttpRoutes final : public sio::transport::HttpEndpoint {
 public:
  explicit HttpRoutes(bool throwing) : throwing_(throwing) {}

  void on_request(sio::transport::HttpRequest&& request, sio::transport::Responder respond) override {
    using sio::transport::HttpResponse;
    if (throwing_ && request.path() == "/http/throw") throw std::runtime_error("boom from /http/throw");
    if (request.path() == "/http/body") {
      if (request.body_too_large) {
        respond(HttpResponse::json(413, R"({"error":"body too large"})"));
      } else {
        respond(HttpResponse::json(200, "{\"length\":" + std::to_string(request.body.size()) + "}"));
      }
      return;
    }
    respond(HttpResponse::text(404, "Not Found"));
  }

 private:
  bool throwing_;
};

// Short heartbeats keep the tests quick to notice a dead connection.
sio::engineio::ServerOptions engine_options(std::string path, const TestOptions& test) {
  sio::engineio::ServerOptions options;
  options.path = std::move(path);
  options.ping_interval = 1000ms;
  options.ping_timeout = 2000ms;
  options.max_payload = test.max_payload;
  options.cors.origins = test.cors_origins;
  options.cors.credentials = test.cors_credentials;
  if (test.max_buffered_bytes) options.max_buffered_bytes = *test.max_buffered_bytes;
  return options;
}

bool parse_number(const char* text, std::uint64_t& out) {
  auto end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, out);
  return ec == std::errc{} && ptr == end;
}

constexpr const char* usage =
    "usage: sio-e2e-server [--port N] [--max-payload BYTES] [--cors-origin ORIGIN]... [--cors-credentials]\n"
    "                      [--max-buffered-bytes BYTES] [--write-timeout SECONDS] [--header-timeout SECONDS]\n"
    "                      [--body-timeout SECONDS] [--max-connections-per-address N] [--limit-loopback]\n"
    "                      [--trusted-proxy ADDRESS]... [--with-throwing-handlers]\n";

std::optional<TestOptions> parse_command_line(int argc, char** argv) {
  TestOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    bool ok = true;
    if (flag == "--cors-credentials") {
      options.cors_credentials = true;
      continue;
    }
    if (flag == "--limit-loopback") {
      options.limit_loopback = true;
      continue;
    }
    if (flag == "--with-throwing-handlers") {
      options.throwing_handlers = true;
      continue;
    }
    if (!value) return std::nullopt;
    ++i;
    if (flag == "--port") {
      ok = parse_number(value, options.port) && options.port <= 65535;
    } else if (flag == "--max-payload") {
      ok = parse_number(value, options.max_payload) && options.max_payload > 0;
    } else if (flag == "--cors-origin") {
      options.cors_origins.emplace_back(value);
    } else if (flag == "--max-buffered-bytes") {
      ok = parse_number(value, options.max_buffered_bytes.emplace());
    } else if (flag == "--write-timeout") {
      ok = parse_number(value, options.write_timeout_seconds.emplace()) && *options.write_timeout_seconds <= 3600;
    } else if (flag == "--header-timeout") {
      ok = parse_number(value, options.header_timeout_seconds.emplace()) && *options.header_timeout_seconds <= 3600;
    } else if (flag == "--body-timeout") {
      ok = parse_number(value, options.body_timeout_seconds.emplace()) && *options.body_timeout_seconds <= 3600;
    } else if (flag == "--max-connections-per-address") {
      ok = parse_number(value, options.max_connections_per_address.emplace()) &&
           *options.max_connections_per_address <= 1'000'000;
    } else if (flag == "--trusted-proxy") {
      options.trusted_proxies.emplace_back(value);
    } else {
      ok = false;
    }
    if (!ok) return std::nullopt;
  }
  return options;
}

// /app-recovery/: connection state recovery kept by the application (Socket::set_session and
// emits with offsets of its own), as an application that keeps it in a database would: the
// pid is the application's ("app-<n>"), each "news" event the application's numbered entry,
// and a client that comes back with a pid it issued and the last offset it got is recovered
// and sent the entries after it. "publish" adds an entry for every socket; "whoami" answers
// [id, recovered, the pid and offset the client sent].
class AppSessions {
 public:
  std::string issue() { return "app-" + std::to_string(++issued_); }
  bool issued(std::string_view pid) const {
    std::uint64_t n = 0;
    if (!pid.starts_with("app-")) return false;
    auto [end, ec] = std::from_chars(pid.data() + 4, pid.data() + pid.size(), n);
    return ec == std::errc{} && end == pid.data() + pid.size() && n >= 1 && n <= issued_;
  }
  // Appends an entry; its offset.
  std::uint64_t add(std::string text) {
    std::lock_guard lock(mutex_);
    entries_.push_back(std::move(text));
    return entries_.size();
  }
  std::vector<std::pair<std::uint64_t, std::string>> after(std::uint64_t offset) const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::uint64_t, std::string>> out;
    for (std::uint64_t i = offset; i < entries_.size(); ++i) out.emplace_back(i + 1, entries_[i]);
    return out;
  }

 private:
  std::atomic<std::uint64_t> issued_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> entries_;
};

struct AppSession {
  std::uint64_t resume_after = 0;  // a recovered socket: the client's last offset
  std::string sent_pid, sent_offset;
};

void serve_app_recovery(sio::Server& io, AppSessions& sessions) {
  sio::Namespace& nsp = io.of("/");
  nsp.use([&sessions](sio::Socket& socket, sio::Namespace::Next next) {
    AppSession session;
    session.sent_pid = auth_field(socket, "pid").value_or("");
    session.sent_offset = auth_field(socket, "offset").value_or("");
    std::uint64_t offset = 0;
    const auto& text = session.sent_offset;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), offset);
    bool offset_ok = text.empty() || (ec == std::errc{} && end == text.data() + text.size());
    if (sessions.issued(session.sent_pid) && offset_ok) {
      session.resume_after = offset;
      socket.set_session(session.sent_pid, true);
    } else {
      socket.set_session(sessions.issue(), false);
    }
    socket.data = session;
    next(std::nullopt);
  });
  nsp.on_connection([&nsp, &sessions](sio::Socket& socket) {
    socket.join("everyone");
    if (socket.recovered()) {
      for (auto& [offset, text] : sessions.after(std::any_cast<AppSession&>(socket.data).resume_after)) {
        socket.emit_payload("news", sio::Payload::of(text), std::to_string(offset));
      }
    }
    socket.on("publish", [&nsp, &sessions](sio::Socket&, const sio::Args& args, sio::Ack ack) {
      std::string text = string_arg(args, 0);
      auto offset = sessions.add(text);
      nsp.to("everyone").emit_payload("news", sio::Payload::of(text), std::to_string(offset));
      if (ack) ack(true);
    });
    socket.on("whoami", [](sio::Socket& s, const sio::Args&, sio::Ack ack) {
      const auto& session = std::any_cast<AppSession&>(s.data);
      if (ack) ack(s.id(), s.recovered(), session.sent_pid, session.sent_offset);
    });
  });
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_command_line(argc, argv);
  if (!parsed) {
    std::cerr << usage;
    return 2;
  }
  const TestOptions& test = *parsed;

  // The signals that stop us are waited for by the main thread alone.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Two loops whatever the machine, so that broadcasts and rooms cross threads.
  sio::transport::EventLoops loops(2);
  // The threads on which /async-mw's middleware decides.
  sio::transport::EventLoops middleware_workers(loops.size());
  LoopThreads loop_threads;
  DisconnectLog log;

  sio::ServerOptions io_options;
  io_options.engine = engine_options("/socket.io/", test);
  io_options.connect_timeout = 5s;
  sio::Server io(loops, io_options);
  serve_socketio(io, log, middleware_workers, loop_threads);
  if (test.throwing_handlers) serve_throwing(io, log, loops);

  sio::ServerOptions recovery_options;
  recovery_options.engine = engine_options("/recovery/", test);
  recovery_options.connect_timeout = 5s;
  recovery_options.recovery.enabled = true;
  recovery_options.recovery.max_disconnection = 5s;
  sio::Server recovery_io(loops, recovery_options);
  serve_namespace(recovery_io, "/", log);

  sio::ServerOptions app_recovery_options;
  app_recovery_options.engine = engine_options("/app-recovery/", test);
  app_recovery_options.connect_timeout = 5s;
  sio::Server app_recovery_io(loops, app_recovery_options);
  AppSessions app_sessions;
  serve_app_recovery(app_recovery_io, app_sessions);

  auto echo = std::make_shared<sio::engineio::Server>(loops, engine_options("/engine.io/", test));
  serve_engineio_echo(*echo, test.throwing_handlers);

  sio::transport::HttpServerOptions http_options;
  http_options.port = static_cast<std::uint16_t>(test.port);
  http_options.max_body_bytes = std::max<std::uint64_t>(test.max_payload, http_options.max_body_bytes);
  if (test.write_timeout_seconds) http_options.write_timeout_seconds = static_cast<std::uint32_t>(*test.write_timeout_seconds);
  if (test.header_timeout_seconds) http_options.header_timeout_seconds = static_cast<std::uint32_t>(*test.header_timeout_seconds);
  if (test.body_timeout_seconds) http_options.body_timeout_seconds = static_cast<std::uint32_t>(*test.body_timeout_seconds);
  if (test.max_connections_per_address) {
    http_options.max_connections_per_address = static_cast<std::uint32_t>(*test.max_connections_per_address);
  }
  http_options.limit_loopback = test.limit_loopback;
  http_options.trusted_proxies = test.trusted_proxies;
  sio::transport::HttpServer http(loops, http_options);
  http.mount("/socket.io/", io.endpoint());
  http.mount("/recovery/", recovery_io.endpoint());
  http.mount("/app-recovery/", app_recovery_io.endpoint());
  http.mount("/engine.io/", echo);
  http.mount("/http/", std::make_shared<HttpRoutes>(test.throwing_handlers));
  try {
    http.listen();
  } catch (const std::exception& e) {
    std::cerr << "sio-e2e-server: cannot listen on port " << test.port << ": " << e.what() << "\n";
    return 1;
  }
  middleware_workers.start();
  loops.start();
  loop_threads.record(loops);
  std::cout << "listening on " << http.port() << std::endl;

  int signal = 0;
  sigwait(&stop_signals, &signal);
  http.stop_accepting();
  // Clients are let go before the loops stop, as a server should (LeakSanitizer checks that
  // everything is then freed).
  io.close();
  recovery_io.close();
  app_recovery_io.close();
  echo->close_all();
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (io.engine().session_count() + recovery_io.engine().session_count() + app_recovery_io.engine().session_count() +
                 echo->session_count() >
             0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  middleware_workers.stop();
  middleware_workers.join();
  loops.stop();
  loops.join();
  return 0;
}
