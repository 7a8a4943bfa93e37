// The server, its namespaces, their per-loop socket and room tables, and broadcasts.
#include "socketio/core.hpp"

#include <algorithm>

namespace sio {

using detail::Audience;
using detail::NamespaceCore;
using detail::Packets;
using detail::SocketCore;

namespace detail {

ServerCore::ServerCore(transport::EventLoops& l, ServerOptions o)
    : loops(l), options(std::move(o)), engine(std::make_shared<engineio::Server>(l, options.engine)) {
  if (options.recovery.enabled) recovery = std::make_unique<RecoveryStore>(options.recovery.max_disconnection);
  for (std::size_t i = 0; i < loops.size(); ++i) {
    decoders.push_back(std::make_unique<socketio::PacketDecoder>(options.limits));
  }
  engine->on_connection([this](const std::shared_ptr<engineio::Session>& session) {
    std::make_shared<Client>(*this, session)->start();
  });
}

// A server destroyed with clients still connected (its loops stopped first, as they must be):
// each client, its session and its sockets hold one another, and the sockets' handlers hold
// what the application gave them. Without this, all of it would outlive the server.
ServerCore::~ServerCore() {
  std::vector<std::shared_ptr<Client>> clients;
  for (auto& [name, nsp] : namespaces) {
    for (auto& state : nsp->loops) {
      for (auto& [id, socket] : state.sockets) clients.push_back(socket->client_);
      state.sockets.clear();
      state.rooms.clear();
    }
  }
  for (auto& client : clients) client->abandon();
}

NamespaceCore* ServerCore::find(std::string_view name) const {
  auto it = namespaces.find(name);
  return it == namespaces.end() ? nullptr : it->second.get();
}

NamespaceCore::NamespaceCore(ServerCore& s, std::string n) : server(s), name(std::move(n)), loops(s.loops.size()) {}

// A socket's own room (named by its id) is not kept in the room table: the socket table,
// keyed by the same ids, answers for it. That saves a table entry per connection.
void NamespaceCore::add(SocketCore& socket) {
  auto& state = loops[socket.loop()];
  state.sockets.emplace(socket.id(), &socket);
  for (const auto& room : socket.rooms()) join(socket, room);
  count.fetch_add(1, std::memory_order_relaxed);
}

void NamespaceCore::remove(SocketCore& socket) {
  auto& state = loops[socket.loop()];
  if (!state.sockets.erase(socket.id())) return;
  for (const auto& room : socket.rooms()) leave(socket, room);
  count.fetch_sub(1, std::memory_order_relaxed);
}

void NamespaceCore::join(SocketCore& socket, const std::string& room) {
  if (room == socket.id()) return;
  loops[socket.loop()].rooms[room].insert(&socket);
}

void NamespaceCore::leave(SocketCore& socket, const std::string& room) {
  auto& rooms = loops[socket.loop()].rooms;
  auto it = rooms.find(room);
  if (it == rooms.end()) return;
  it->second.erase(&socket);
  if (it->second.empty()) rooms.erase(it);
}

template <class Fn>
void NamespaceCore::for_each_local(std::size_t loop, const Audience& audience, Fn&& fn) {
  auto& state = loops[loop];
  std::vector<SocketCore*> targets;
  if (audience.rooms.empty()) {
    targets.reserve(state.sockets.size());
    for (auto& [id, socket] : state.sockets) targets.push_back(socket);
  } else {
    for (const auto& room : audience.rooms) {
      auto it = state.rooms.find(room);
      if (it != state.rooms.end()) targets.insert(targets.end(), it->second.begin(), it->second.end());
      if (auto own = state.sockets.find(room); own != state.sockets.end()) targets.push_back(own->second);
    }
    if (audience.rooms.size() > 1) {
      std::sort(targets.begin(), targets.end());
      targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    }
  }
  for (SocketCore* socket : targets) {
    if (!audience.exclude_socket.empty() && socket->id_ == audience.exclude_socket) continue;
    if (!audience.except.empty() && !audience.includes(socket->rooms_, socket->id_)) continue;
    fn(*socket);
  }
}

void NamespaceCore::broadcast(Audience audience, std::shared_ptr<const Packets> packets) {
  auto shared = std::make_shared<const Audience>(std::move(audience));
  for (std::size_t loop = 0; loop < loops.size(); ++loop) {
    server.loops.dispatch(loop, [this, loop, shared, packets] {
      for_each_local(loop, *shared, [&](SocketCore& socket) { socket.client_->send(*packets); });
    });
  }
}

void NamespaceCore::disconnect_sockets(Audience audience, bool close_connection) {
  auto shared = std::make_shared<const Audience>(std::move(audience));
  for (std::size_t loop = 0; loop < loops.size(); ++loop) {
    server.loops.dispatch(loop, [this, loop, shared, close_connection] {
      std::vector<std::weak_ptr<SocketCore>> matching;
      for_each_local(loop, *shared, [&](SocketCore& socket) { matching.push_back(socket.weak_from_this()); });
      for (auto& weak : matching) {
        if (auto socket = weak.lock()) socket->disconnect(close_connection);
      }
    });
  }
}

}  // namespace detail

// --- Broadcast ----------------------------------------------------------------------------

void Broadcast::emit_payload(std::string_view event, Payload payload) const {
  NamespaceCore& nsp = NamespaceCore::of(*nsp_);
  Audience audience{rooms_, except_, exclude_socket_};
  std::shared_ptr<const Packets> packets;
  if (auto* recovery = nsp.server.recovery.get()) {
    packets = recovery->log(nsp.name, audience, [&](std::string_view offset) {
      return detail::encode_event(nsp.name, event, std::move(payload), std::nullopt, offset);
    });
  } else {
    packets = std::make_shared<const Packets>(detail::encode_event(nsp.name, event, std::move(payload), std::nullopt, {}));
  }
  nsp.broadcast(std::move(audience), std::move(packets));
}

void Broadcast::emit_payload(std::string_view event, Payload payload, std::string_view offset) const {
  NamespaceCore& nsp = NamespaceCore::of(*nsp_);
  nsp.broadcast(Audience{rooms_, except_, exclude_socket_},
                std::make_shared<const Packets>(detail::encode_event(nsp.name, event, std::move(payload), std::nullopt, offset)));
}

void Broadcast::disconnect_sockets(bool close_connection) const {
  NamespaceCore::of(*nsp_).disconnect_sockets(Audience{rooms_, except_, exclude_socket_}, close_connection);
}

// --- Namespace ----------------------------------------------------------------------------

const std::string& Namespace::name() const { return NamespaceCore::of(*this).name; }

Namespace& Namespace::use(Middleware middleware) {
  NamespaceCore::of(*this).middlewares.push_back(std::move(middleware));
  return *this;
}

Namespace& Namespace::on_connection(std::function<void(Socket&)> handler) {
  NamespaceCore::of(*this).on_connection = std::move(handler);
  return *this;
}

std::size_t Namespace::socket_count() const { return NamespaceCore::of(*this).count.load(std::memory_order_relaxed); }

// --- Server -------------------------------------------------------------------------------

Server::Server(transport::EventLoops& loops, ServerOptions options)
    : impl_(std::make_unique<Impl>(loops, std::move(options))) {
  of("/");
}

Server::~Server() = default;

Namespace& Server::of(std::string_view name) {
  std::string normalized(name);
  if (normalized.empty() || normalized[0] != '/') normalized.insert(normalized.begin(), '/');
  auto& core = impl_->core;
  auto it = core.namespaces.find(normalized);
  if (it == core.namespaces.end()) {
    it = core.namespaces.emplace(normalized, std::make_unique<NamespaceCore>(core, normalized)).first;
  }
  return *it->second;
}

std::shared_ptr<transport::HttpEndpoint> Server::endpoint() const { return impl_->core.engine; }
engineio::Server& Server::engine() { return *impl_->core.engine; }
const ServerOptions& Server::options() const { return impl_->core.options; }

void Server::close() { impl_->core.engine->close_all(); }

}  // namespace sio
