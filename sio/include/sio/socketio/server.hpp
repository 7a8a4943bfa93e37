// A Socket.IO v4 server (protocol v5 over Engine.IO v4): namespaces, middlewares, sockets,
// events and acknowledgements both ways, rooms and broadcasts, connection state recovery.
//
//   sio::transport::EventLoops loops;                 // one event loop per core
//   sio::Server io(loops);
//   io.of("/").on_connection([](sio::Socket& socket) {
//     socket.join("lobby");
//     socket.on("hello", [](sio::Socket& s, const sio::Args& args, sio::Ack ack) {
//       s.emit("world", 42, "text");                            // to this client
//       s.to("lobby").emit_payload("news", args.to_payload());  // to the others in the room
//       if (ack) ack("got it");                                 // answers the client's ack
//     });
//   });
//   sio::transport::HttpServer http(loops, {.hosts = {"0.0.0.0"}, .port = 3000});
//   http.mount("/socket.io/", io.endpoint());
//   http.listen();
//   loops.start();
//
// (sio/examples/standalone/main.cpp is this program whole; a test builds it against the
// installed library.)
//
// Threading: every socket lives on one event loop, where all its handlers run. Call a
// Socket's methods only from its loop (inside its handlers, or through Socket::Ref from
// anywhere). Namespace and Broadcast emits, Ack and Socket::Ref may be used from any thread.
//
// Sockets and namespaces are made by the server and handed out by reference: they have no
// public constructors. A socket stays valid while its handler runs, even when the handler
// disconnects it (its methods then do nothing); keep a Socket::Ref, not a Socket&, beyond that.
#pragma once

#include <any>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/engineio/server.hpp"
#include "sio/socketio/packet.hpp"
#include "sio/socketio/payload.hpp"
#include "sio/transport/event_loops.hpp"

namespace sio {

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
  std::string data_json = {};  // optional JSON value sent as `data`
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
  friend class Socket;
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
// Encoded once, whatever the number of recipients; delivered on every loop. Made by
// Namespace::to / except and Socket::to / broadcast.
class Broadcast {
 public:
  Broadcast& to(std::string room) & { rooms_.push_back(std::move(room)); return *this; }
  Broadcast&& to(std::string room) && { rooms_.push_back(std::move(room)); return std::move(*this); }
  Broadcast& except(std::string room) & { except_.push_back(std::move(room)); return *this; }
  Broadcast&& except(std::string room) && { except_.push_back(std::move(room)); return std::move(*this); }

  template <class... A>
  void emit(std::string_view event, A&&... args) const {
    emit_payload(event, Payload::of(std::forward<A>(args)...));
  }
  void emit_payload(std::string_view event, Payload payload) const;
  // The same with a recovery offset of the application's own appended as the last argument
  // (see Socket::set_session); not with RecoveryOptions::enabled, which makes its own.
  void emit_payload(std::string_view event, Payload payload, std::string_view offset) const;
  // Disconnects the matching sockets ("server namespace disconnect").
  void disconnect_sockets(bool close_connection = false) const;

 private:
  friend class Socket;
  friend class Namespace;
  explicit Broadcast(const Namespace* nsp) : nsp_(nsp) {}
  const Namespace* nsp_;
  std::vector<std::string> rooms_;
  std::vector<std::string> except_;
  std::string exclude_socket_;  // the sender, for socket.to(...) and socket.broadcast()
};

// One client in one namespace.
class Socket {
 public:
  using EventHandler = std::function<void(Socket&, const Args&, Ack)>;
  using AnyEventHandler = std::function<void(Socket&, std::string_view event, const Args&, Ack)>;
  using DisconnectHandler = std::function<void(Socket&, std::string_view reason)>;

  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  const std::string& id() const;
  const std::string& nsp() const;
  const Handshake& handshake() const;
  bool connected() const;
  // True when this socket continues a recovered session (same id, rooms and data).
  bool recovered() const;
  std::size_t loop() const;
  TransportKind transport() const;

  // Application data; kept across a recovered session.
  std::any data;

  // Connection state recovery kept by the application (RecoveryOptions::enabled false), for
  // sessions that must outlive this process: in a middleware, before it calls `next`, names the
  // private session id that the CONNECT answer gives the client (which sends it back with the
  // last offset it got, in its auth object {pid, offset}, when it reconnects), and whether this
  // socket continues that session (the client's `socket.recovered`). The offsets are the
  // application's too: emit_payload(event, payload, offset) appends one to an event. What a
  // recovered socket missed is the application's to send, once connected.
  void set_session(std::string pid, bool recovered);

  // Replaces the handler the event had, if any. A handler that throws is reported
  // (EventLoops' error reporter) and costs its client the connection, nothing more.
  void on(std::string event, EventHandler handler);
  // Called, with the event's name, for events that have no handler of their own. One handler
  // that dispatches by name costs a socket one std::function, where a handler per event costs
  // one each (an application with many events and many connections notices).
  void on_any(AnyEventHandler handler);
  void on_disconnect(DisconnectHandler handler);

  template <class... A>
  void emit(std::string_view event, A&&... args) {
    emit_payload(event, Payload::of(std::forward<A>(args)...));
  }
  void emit_payload(std::string_view event, Payload payload);
  // The same with a recovery offset of the application's own (see set_session).
  void emit_payload(std::string_view event, Payload payload, std::string_view offset);
  // Emits and waits for the client's acknowledgement, at most `timeout`.
  void emit_with_ack(std::string_view event, Payload payload, std::chrono::milliseconds timeout, AckCallback callback);

  void join(std::string room);
  void leave(const std::string& room);
  const std::vector<std::string>& rooms() const;
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

 protected:
  // Sockets are made by the server only.
  Socket() = default;
  ~Socket() = default;
  Ack make_ack(std::uint64_t id);
};

// A namespace of the server ("/" is the main one).
class Namespace {
 public:
  using Next = std::function<void(std::optional<ConnectError>)>;
  using Middleware = std::function<void(Socket&, Next)>;

  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  const std::string& name() const;
  // Runs before the connection is accepted, in the order added; each calls `next` (maybe
  // later, from any thread) with nothing to go on or a ConnectError to refuse.
  Namespace& use(Middleware middleware);
  Namespace& on_connection(std::function<void(Socket&)> handler);

  Broadcast to(std::string room) const { return Broadcast(this).to(std::move(room)); }
  Broadcast except(std::string room) const { return Broadcast(this).except(std::move(room)); }
  template <class... A>
  void emit(std::string_view event, A&&... args) const {
    Broadcast(this).emit(event, std::forward<A>(args)...);
  }
  // Sockets connected to this namespace now, over all loops (approximate while they change).
  std::size_t socket_count() const;

 protected:
  // Namespaces are made by Server::of only.
  Namespace() = default;
  ~Namespace() = default;
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
  RecoveryOptions recovery = {};
  socketio::DecodeLimits limits = {};
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
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sio
