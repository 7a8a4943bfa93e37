// A Socket.IO v4 server (protocol v5 over Engine.IO v4): namespaces, middlewares, sockets,
// events and acknowledgements both ways, rooms and broadcasts, connection state recovery.
//
//   sio::transport::EventLoops loops;           // one loop per core
//   sio::Server io(loops);
//   io.of("/").on_connection([](sio::Socket& socket) {
//     socket.on("hello", [](sio::Socket& s, const sio::Args& args, sio::Ack ack) {
//       s.emit("world", 42, "text");            // to this client
//       s.to("lobby").emit("news", args.to_payload());
//       if (ack) ack("got it");
//     });
//   });
//   sio::transport::HttpServer http(loops, {.hosts = {"0.0.0.0"}, .port = 3000});
//   http.mount("/socket.io/", io.endpoint());
//   http.listen();
//   loops.start();
//
// Threading: every socket lives on one event loop, where all its handlers run. Call a
// Socket's methods only from its loop (inside its handlers, or through SocketRef from
// anywhere). Namespace and Server broadcasts, Ack and SocketRef may be used from any thread.
#pragma once

#include <any>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sio/engineio/server.hpp"
#include "sio/socketio/packet.hpp"
#include "sio/socketio/payload.hpp"
#include "sio/transport/event_loops.hpp"

namespace sio {

namespace detail {
class Client;
struct ServerCore;
struct NamespaceCore;
}  // namespace detail

class Socket;
class Namespace;
using engineio::TransportKind;

// What the client sent when it connected.
struct Handshake {
  std::shared_ptr<const transport::HttpRequest> request;  // headers, query, remote address
  std::string auth = "{}";                                // the CONNECT payload (raw JSON object)
  std::chrono::system_clock::time_point time;

  std::string_view header(std::string_view lower_case_name) const { return request->header(lower_case_name); }
  std::optional<std::string> query(std::string_view name) const { return request->query_param(name); }
  const std::string& address() const { return request->remote_address; }
};

// Refusal of a connection by a middleware: the client gets connect_error with this.
struct ConnectError {
  std::string message;
  std::string data_json;  // optional JSON value sent as `data`
};

// Replies to the client's acknowledgement request. Callable from any thread; send once.
class Ack {
 public:
  Ack() = default;
  explicit operator bool() const { return id_.has_value(); }
  template <class... A>
  void operator()(A&&... args) const {
    send(Payload::of(std::forward<A>(args)...));
  }
  void send(Payload payload) const;

 private:
  friend class detail::Client;
  Ack(std::weak_ptr<Socket> socket, transport::EventLoops* loops, std::size_t loop, std::uint64_t id)
      : socket_(std::move(socket)), loops_(loops), loop_(loop), id_(id) {}
  std::weak_ptr<Socket> socket_;
  transport::EventLoops* loops_ = nullptr;
  std::size_t loop_ = 0;
  std::optional<std::uint64_t> id_;
};

// The client's answer to an emit_with_ack: its arguments, or a timeout / disconnection.
struct AckReply {
  std::optional<std::string> error;  // "operation has timed out", "socket has been disconnected"
  Args args;
};
using AckCallback = std::function<void(const AckReply&)>;

// An emit to many sockets: every socket of the namespace, of some rooms, but not of others.
// Encoded once, whatever the number of recipients; delivered on every loop.
class Broadcast {
 public:
  Broadcast(detail::NamespaceCore* nsp) : nsp_(nsp) {}
  Broadcast& to(std::string room) & { rooms_.push_back(std::move(room)); return *this; }
  Broadcast&& to(std::string room) && { rooms_.push_back(std::move(room)); return std::move(*this); }
  Broadcast& except(std::string room) & { except_.push_back(std::move(room)); return *this; }
  Broadcast&& except(std::string room) && { except_.push_back(std::move(room)); return std::move(*this); }

  template <class... A>
  void emit(std::string_view event, A&&... args) const {
    emit_payload(event, Payload::of(std::forward<A>(args)...));
  }
  void emit_payload(std::string_view event, Payload payload) const;
  // Disconnects the matching sockets ("server namespace disconnect").
  void disconnect_sockets(bool close_connection = false) const;

 private:
  friend class Socket;
  detail::NamespaceCore* nsp_;
  std::vector<std::string> rooms_;
  std::vector<std::string> except_;
  std::string exclude_socket_;  // the sender, for socket.to(...) and socket.broadcast()
};

class Socket : public std::enable_shared_from_this<Socket> {
 public:
  using EventHandler = std::function<void(Socket&, const Args&, Ack)>;
  using DisconnectHandler = std::function<void(Socket&, std::string_view reason)>;

  Socket(detail::NamespaceCore* nsp, std::shared_ptr<detail::Client> client, std::string id, std::string pid,
         Handshake handshake);
  ~Socket();

  const std::string& id() const { return id_; }
  const std::string& nsp() const;
  const Handshake& handshake() const { return handshake_; }
  bool connected() const { return connected_; }
  // True when this socket continues a recovered session (same id, rooms and data).
  bool recovered() const { return recovered_; }
  std::size_t loop() const;
  TransportKind transport() const;

  // Application data; kept across a recovered session.
  std::any data;

  // Replaces the handler the event had, if any.
  void on(std::string event, EventHandler handler);
  // Called for events that have no handler of their own.
  void on_any(EventHandler handler) { any_handler_ = std::move(handler); }
  void on_disconnect(DisconnectHandler handler) { on_disconnect_ = std::move(handler); }

  template <class... A>
  void emit(std::string_view event, A&&... args) {
    emit_payload(event, Payload::of(std::forward<A>(args)...));
  }
  void emit_payload(std::string_view event, Payload payload);
  // Emits and waits for the client's acknowledgement, at most `timeout`.
  void emit_with_ack(std::string_view event, Payload payload, std::chrono::milliseconds timeout, AckCallback callback);

  void join(std::string room);
  void leave(const std::string& room);
  const std::vector<std::string>& rooms() const { return rooms_; }
  // Every socket in `room` but this one.
  Broadcast to(std::string room) const;
  // Every socket of the namespace but this one.
  Broadcast broadcast() const;

  // Leaves the namespace ("server namespace disconnect"); with `close_connection`, closes the
  // whole connection too.
  void disconnect(bool close_connection = false);

  // A handle to use from other threads.
  class Ref {
   public:
    Ref() = default;
    // Runs `fn` on the socket's loop if the socket is still connected then.
    void post(std::function<void(Socket&)> fn) const;
    template <class... A>
    void emit(std::string event, A&&... args) const {
      post([event = std::move(event), payload = Payload::of(std::forward<A>(args)...)](Socket& s) mutable {
        s.emit_payload(event, std::move(payload));
      });
    }

   private:
    friend class Socket;
    std::weak_ptr<Socket> socket_;
    transport::EventLoops* loops_ = nullptr;
    std::size_t loop_ = 0;
  };
  Ref ref();

 private:
  friend class detail::Client;
  friend struct detail::NamespaceCore;
  friend class Ack;

  void dispatch_event(const std::string& event, const Args& args, std::optional<std::uint64_t> ack_id);
  std::vector<std::pair<std::string, EventHandler>>::iterator find_handler(std::string_view event);
  void dispatch_ack(std::uint64_t id, const Args& args);
  void close_with(std::string_view reason, bool notify_client);
  void send_ack(std::uint64_t id, const Payload& payload);

  detail::NamespaceCore* nsp_;
  std::shared_ptr<detail::Client> client_;
  std::string id_;
  std::string pid_;  // private session id for connection state recovery
  Handshake handshake_;
  bool connected_ = false;
  bool recovered_ = false;
  std::vector<std::string> rooms_;
  // A socket has a few handlers, on every connection: a vector is smaller than a hash table
  // (about 200 bytes less per connection) and as fast to search at that size.
  std::vector<std::pair<std::string, EventHandler>> handlers_;
  EventHandler any_handler_;
  DisconnectHandler on_disconnect_;
  std::uint64_t next_ack_id_ = 0;
  struct PendingAck;
  std::unordered_map<std::uint64_t, std::shared_ptr<PendingAck>> pending_acks_;
};

class Namespace {
 public:
  using Next = std::function<void(std::optional<ConnectError>)>;
  using Middleware = std::function<void(Socket&, Next)>;

  explicit Namespace(detail::NamespaceCore* core) : core_(core) {}
  const std::string& name() const;
  // Runs before the connection is accepted, in the order added; each calls `next` (maybe
  // later, from any thread) with nothing to go on or a ConnectError to refuse.
  Namespace& use(Middleware middleware);
  Namespace& on_connection(std::function<void(Socket&)> handler);

  Broadcast to(std::string room) const { return Broadcast(core_).to(std::move(room)); }
  Broadcast except(std::string room) const { return Broadcast(core_).except(std::move(room)); }
  template <class... A>
  void emit(std::string_view event, A&&... args) const {
    Broadcast(core_).emit(event, std::forward<A>(args)...);
  }
  // Sockets connected to this namespace now, over all loops (approximate while they change).
  std::size_t socket_count() const;

 private:
  detail::NamespaceCore* core_;
};

struct RecoveryOptions {
  bool enabled = false;
  std::chrono::milliseconds max_disconnection{120'000};
  bool skip_middlewares = true;
};

struct ServerOptions {
  engineio::ServerOptions engine = default_engine_options();
  // A client that opens a connection but joins no namespace in this time is closed.
  std::chrono::milliseconds connect_timeout{45'000};
  RecoveryOptions recovery;
  socketio::DecodeLimits limits;
  // Acknowledgements a socket may be waiting for at once (emit_with_ack beyond that fails).
  std::size_t max_pending_acks = 1'000;

  static engineio::ServerOptions default_engine_options() {
    engineio::ServerOptions o;
    o.path = "/socket.io/";
    return o;
  }
};

class Server {
 public:
  explicit Server(transport::EventLoops& loops, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The namespace `name` ("/" is the main one), created on first use. Create every namespace
  // before the server takes connections.
  Namespace& of(std::string_view name);
  // What to mount on the HTTP server at options.engine.path.
  std::shared_ptr<transport::HttpEndpoint> endpoint() const;
  engineio::Server& engine();
  const ServerOptions& options() const;
  // Disconnects every client ("server shutting down").
  void close();

 private:
  std::unique_ptr<detail::ServerCore> core_;
};

}  // namespace sio
