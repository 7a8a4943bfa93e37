// Private to the Socket.IO layer: what stands behind the public Socket, Namespace and Server
// (SocketCore, NamespaceCore, ServerCore), the namespaces' per-loop socket and room tables, the
// per-connection Client, and the recovery store.
#pragma once

#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <unordered_set>

#include <boost/asio/steady_timer.hpp>

#include "sio/socketio/server.hpp"

namespace sio::detail {

using engineio::OutboundPacket;
using Packets = std::vector<OutboundPacket>;  // a Socket.IO packet: text, then its attachments

// Encodes an EVENT (BINARY_EVENT when the payload has attachments) for `nsp`, with an ack id
// and a recovery offset appended as the last argument when given.
Packets encode_event(std::string_view nsp, std::string_view event, Payload&& payload,
                     std::optional<std::uint64_t> ack_id, std::string_view offset);
Packets encode_ack(std::string_view nsp, std::uint64_t id, const Payload& payload);
OutboundPacket encode_connect(std::string_view nsp, std::string_view sid, std::string_view pid);
OutboundPacket encode_connect_error(std::string_view nsp, const ConnectError& error);
OutboundPacket encode_disconnect(std::string_view nsp);

// Who a broadcast goes to.
struct Audience {
  std::vector<std::string> rooms;   // empty: everybody in the namespace
  std::vector<std::string> except;  // nobody in these rooms
  std::string exclude_socket;       // nor this socket
  bool includes(const std::vector<std::string>& socket_rooms, const std::string& socket_id) const;
};

// Connection state recovery (Socket.IO >= 4.6): the sessions of sockets that lost their
// connection, and every event sent, for the recovery window. Shared by all loops (a client
// may come back on any of them), hence the lock; used only when recovery is enabled.
class RecoveryStore {
 public:
  explicit RecoveryStore(std::chrono::milliseconds window) : window_(window) {}

  struct Saved {
    std::string sid, pid, nsp;
    std::vector<std::string> rooms;
    std::any data;
    std::chrono::steady_clock::time_point disconnected_at;
  };
  struct Restored {
    Saved session;
    std::vector<std::shared_ptr<const Packets>> missed;
  };

  // Gives the event the next offset, encodes it with `encode(offset)`, and logs it.
  std::shared_ptr<const Packets> log(std::string_view nsp, const Audience& audience,
                                     const std::function<Packets(std::string_view offset)>& encode);
  void persist(Saved session);
  std::optional<Restored> restore(std::string_view pid, std::string_view offset);

 private:
  struct Entry {
    std::uint64_t offset;
    std::string nsp;
    Audience audience;
    std::shared_ptr<const Packets> packets;
    std::chrono::steady_clock::time_point at;
  };
  void expire(std::chrono::steady_clock::time_point now);

  std::chrono::milliseconds window_;
  std::mutex mutex_;
  std::uint64_t next_offset_ = 1;
  std::deque<Entry> log_;
  std::unordered_map<std::string, Saved> sessions_;
};

struct ServerCore;
class SocketCore;
class Client;

struct NamespaceCore final : Namespace {
  NamespaceCore(ServerCore& s, std::string n);

  static NamespaceCore& of(const Namespace& nsp) { return const_cast<NamespaceCore&>(static_cast<const NamespaceCore&>(nsp)); }

  ServerCore& server;
  std::string name;
  std::vector<Namespace::Middleware> middlewares;
  std::function<void(Socket&)> on_connection;
  std::atomic<std::size_t> count{0};

  // Touched only by the loop's own thread.
  struct LoopState {
    std::unordered_map<std::string, SocketCore*> sockets;
    std::unordered_map<std::string, std::unordered_set<SocketCore*>> rooms;
  };
  std::vector<LoopState> loops;

  void add(SocketCore& socket);
  void remove(SocketCore& socket);
  void join(SocketCore& socket, const std::string& room);
  void leave(SocketCore& socket, const std::string& room);
  // Sends `packets` to the audience on every loop.
  void broadcast(Audience audience, std::shared_ptr<const Packets> packets);
  void disconnect_sockets(Audience audience, bool close_connection);
  template <class Fn>
  void for_each_local(std::size_t loop, const Audience& audience, Fn&& fn);
};

struct ServerCore {
  ServerCore(transport::EventLoops& l, ServerOptions o);
  ServerCore(const ServerCore&) = delete;  // its engine's handler holds `this`
  ServerCore& operator=(const ServerCore&) = delete;
  ~ServerCore();

  transport::EventLoops& loops;
  ServerOptions options;
  std::shared_ptr<engineio::Server> engine;
  std::map<std::string, std::unique_ptr<NamespaceCore>, std::less<>> namespaces;
  std::unique_ptr<RecoveryStore> recovery;
  std::vector<std::unique_ptr<socketio::PacketDecoder>> decoders;  // one per loop

  NamespaceCore* find(std::string_view name) const;
};

// The state of one socket: what the public Socket's methods work on.
class SocketCore final : public Socket, public std::enable_shared_from_this<SocketCore> {
 public:
  SocketCore(NamespaceCore* nsp, std::shared_ptr<Client> client, std::string id, std::string pid, Handshake handshake);
  ~SocketCore();

  static SocketCore& of(Socket& socket) { return static_cast<SocketCore&>(socket); }
  static const SocketCore& of(const Socket& socket) { return static_cast<const SocketCore&>(socket); }

  // From the Client: an event or an ack from the client; the end of the socket.
  void dispatch_event(const std::string& event, const Args& args, std::optional<std::uint64_t> ack_id);
  void dispatch_ack(std::uint64_t id, const Args& args);
  void close_with(std::string_view reason, bool notify_client);
  void send_ack(std::uint64_t id, const Payload& payload);
  // Runs a handler of the application: an exception it throws is reported and ends this
  // client's connection, not the loop.
  template <class Fn>
  void run_handler(std::string_view what, Fn&& fn);

  using Handlers = std::vector<std::pair<std::string, EventHandler>>;
  Handlers::iterator find_handler(std::string_view event);

  NamespaceCore* nsp_;
  std::shared_ptr<Client> client_;
  std::string id_;
  std::string pid_;  // private session id for connection state recovery
  Handshake handshake_;
  bool connected_ = false;
  bool recovered_ = false;
  std::vector<std::string> rooms_;
  // A socket has a few handlers, on every connection: a vector is smaller than a hash table
  // (about 200 bytes less per connection) and as fast to search at that size.
  Handlers handlers_;
  Socket::AnyEventHandler any_handler_;
  DisconnectHandler on_disconnect_;
  std::uint64_t next_ack_id_ = 0;
  struct PendingAck;
  std::unordered_map<std::uint64_t, std::shared_ptr<PendingAck>> pending_acks_;
};

// One Engine.IO session seen by Socket.IO: decodes its packets, reassembles binary ones, and
// holds its sockets (one per namespace).
class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(ServerCore& server, std::shared_ptr<engineio::Session> session);

  void start();
  void send(const Packets& packets);
  void send(const OutboundPacket& packet) { session_->send(packet); }
  std::size_t loop() const { return session_->loop(); }
  TransportKind transport() const { return session_->transport(); }
  ServerCore& server() { return server_; }
  // Forgets the socket of `nsp` (it left or was disconnected).
  void forget(const std::string& nsp);
  // Every socket leaves ("server namespace disconnect"), then the connection closes.
  void disconnect_all();
  // The server is being destroyed (its loops have stopped): drop every reference this client,
  // its session and its sockets hold to each other and to the application's handlers.
  void abandon();

 private:
  void on_message(const engineio::PacketView& message);
  void on_close(engineio::CloseReason reason);
  void handle(const socketio::PacketView& packet, std::span<const std::string> attachments);
  void connect(std::string nsp_name, std::string auth);
  void run_middlewares(NamespaceCore* nsp, std::shared_ptr<SocketCore> socket, std::size_t index);
  void finish_connect(std::shared_ptr<SocketCore> socket, std::vector<std::shared_ptr<const Packets>> missed);
  void protocol_error();
  SocketCore* socket_of(std::string_view nsp);

  ServerCore& server_;
  std::shared_ptr<engineio::Session> session_;
  std::shared_ptr<const transport::HttpRequest> request_;
  std::vector<std::pair<std::string, std::shared_ptr<SocketCore>>> sockets_;
  std::unique_ptr<boost::asio::steady_timer> connect_timer_;
  // A binary packet waiting for its attachments.
  std::string partial_text_;
  std::vector<std::string> partial_attachments_;
  std::uint32_t partial_expected_ = 0;
};

template <class Fn>
void SocketCore::run_handler(std::string_view what, Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    nsp_->server.loops.report_error(std::string(what) + " handler of socket " + id_ + " threw: " + e.what());
    disconnect(true);
  } catch (...) {
    nsp_->server.loops.report_error(std::string(what) + " handler of socket " + id_ + " threw");
    disconnect(true);
  }
}

}  // namespace sio::detail

namespace sio {
struct Server::Impl {
  Impl(transport::EventLoops& loops, ServerOptions options) : core(loops, std::move(options)) {}
  detail::ServerCore core;
};
}  // namespace sio
