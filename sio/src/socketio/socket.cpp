// A socket: one client in one namespace. Events in, events and acks out, rooms, the end.
// The public Socket's methods work on the SocketCore behind it (core.hpp).
#include "socketio/core.hpp"

#include <algorithm>

#include "util/invariants.hpp"

namespace sio {

using detail::Packets;
using detail::SocketCore;

struct SocketCore::PendingAck {
  AckCallback callback;
  boost::asio::steady_timer timer;
};

namespace {

// The disconnect reasons after which a client may recover its session (as in Node).
bool recoverable(std::string_view reason) {
  return reason == "transport error" || reason == "transport close" || reason == "forced close" ||
         reason == "ping timeout" || reason == "server shutting down" || reason == "forced server close";
}

}  // namespace

namespace detail {

SocketCore::SocketCore(NamespaceCore* nsp, std::shared_ptr<Client> client, std::string id, std::string pid,
                       Handshake handshake)
    : nsp_(nsp), client_(std::move(client)), id_(std::move(id)), pid_(std::move(pid)), handshake_(std::move(handshake)) {}

SocketCore::~SocketCore() = default;

SocketCore::Handlers::iterator SocketCore::find_handler(std::string_view event) {
  return std::find_if(handlers_.begin(), handlers_.end(), [&](const auto& h) { return h.first == event; });
}

void SocketCore::dispatch_event(const std::string& event, const Args& args, std::optional<std::uint64_t> ack_id) {
  SIO_ASSERT_ON_LOOP(loop());
  // The handler may disconnect this socket, which drops the client's reference to it: keep it
  // alive until the handler has returned, so that whatever it does next is safe (and a no-op).
  auto self = shared_from_this();
  Ack ack = ack_id ? make_ack(*ack_id) : Ack();
  auto it = find_handler(event);
  if (it != handlers_.end()) {
    EventHandler handler = it->second;  // a copy: the handler may replace itself
    run_handler("event", [&] { handler(*this, args, std::move(ack)); });
  } else if (any_handler_) {
    Socket::AnyEventHandler handler = any_handler_;
    run_handler("event", [&] { handler(*this, event, args, std::move(ack)); });
  }
}

void SocketCore::dispatch_ack(std::uint64_t id, const Args& args) {
  SIO_ASSERT_ON_LOOP(loop());
  auto it = pending_acks_.find(id);
  if (it == pending_acks_.end()) return;  // unknown, late or repeated: ignored
  auto self = shared_from_this();
  auto pending = std::move(it->second);
  pending_acks_.erase(it);
  pending->timer.cancel();
  run_handler("acknowledgement", [&] { pending->callback(AckReply{std::nullopt, args}); });
}

void SocketCore::send_ack(std::uint64_t id, const Payload& payload) {
  SIO_ASSERT_ON_LOOP(loop());
  if (!connected_) return;
  client_->send(encode_ack(nsp_->name, id, payload));
}

void SocketCore::close_with(std::string_view reason, bool notify_client) {
  SIO_ASSERT_ON_LOOP(loop());
  if (!connected_) return;
  auto self = shared_from_this();
  connected_ = false;
  if (notify_client) client_->send(encode_disconnect(nsp_->name));
  nsp_->remove(*this);
  client_->forget(nsp_->name);
  if (auto* recovery = nsp_->server.recovery.get(); recovery && recoverable(reason)) {
    recovery->persist({id_, pid_, nsp_->name, rooms_, data, std::chrono::steady_clock::now()});
  }
  auto pending = std::move(pending_acks_);
  pending_acks_.clear();
  for (auto& [id, ack] : pending) {
    ack->timer.cancel();
    run_handler("acknowledgement", [&] { ack->callback(AckReply{"socket has been disconnected", {}}); });
  }
  if (auto handler = std::move(on_disconnect_)) run_handler("disconnect", [&] { handler(*this, reason); });
  // Handlers often capture what owns this socket: drop them to break the cycle.
  handlers_.clear();
  any_handler_ = nullptr;
}

}  // namespace detail

// --- the public Socket ----------------------------------------------------------------------

const std::string& Socket::id() const { return SocketCore::of(*this).id_; }
const std::string& Socket::nsp() const { return SocketCore::of(*this).nsp_->name; }
const Handshake& Socket::handshake() const { return SocketCore::of(*this).handshake_; }
bool Socket::connected() const { return SocketCore::of(*this).connected_; }
bool Socket::recovered() const { return SocketCore::of(*this).recovered_; }
std::size_t Socket::loop() const { return SocketCore::of(*this).client_->loop(); }
TransportKind Socket::transport() const { return SocketCore::of(*this).client_->transport(); }
const std::vector<std::string>& Socket::rooms() const { return SocketCore::of(*this).rooms_; }

void Socket::on(std::string event, EventHandler handler) {
  auto& core = SocketCore::of(*this);
  SIO_ASSERT_ON_LOOP(loop());
  auto it = core.find_handler(event);
  if (it != core.handlers_.end()) {
    it->second = std::move(handler);
  } else {
    core.handlers_.emplace_back(std::move(event), std::move(handler));
  }
}

void Socket::on_any(AnyEventHandler handler) { SocketCore::of(*this).any_handler_ = std::move(handler); }
void Socket::on_disconnect(DisconnectHandler handler) { SocketCore::of(*this).on_disconnect_ = std::move(handler); }

void Socket::emit_payload(std::string_view event, Payload payload) {
  auto& core = SocketCore::of(*this);
  SIO_ASSERT_ON_LOOP(loop());
  if (!core.connected_) return;
  const std::string& nsp = core.nsp_->name;
  if (auto* recovery = core.nsp_->server.recovery.get()) {
    detail::Audience audience{{core.id_}, {}, {}};
    auto packets = recovery->log(nsp, audience, [&](std::string_view offset) {
      return detail::encode_event(nsp, event, std::move(payload), std::nullopt, offset);
    });
    core.client_->send(*packets);
    return;
  }
  core.client_->send(detail::encode_event(nsp, event, std::move(payload), std::nullopt, {}));
}

void Socket::emit_payload(std::string_view event, Payload payload, std::string_view offset) {
  auto& core = SocketCore::of(*this);
  SIO_ASSERT_ON_LOOP(loop());
  if (!core.connected_) return;
  core.client_->send(detail::encode_event(core.nsp_->name, event, std::move(payload), std::nullopt, offset));
}

void Socket::set_session(std::string pid, bool recovered) {
  auto& core = SocketCore::of(*this);
  if (core.connected_) return;  // the CONNECT answer is sent: too late
  core.pid_ = std::move(pid);
  core.recovered_ = recovered;
}

void Socket::emit_with_ack(std::string_view event, Payload payload, std::chrono::milliseconds timeout,
                           AckCallback callback) {
  auto& core = SocketCore::of(*this);
  SIO_ASSERT_ON_LOOP(loop());
  if (!core.connected_) {
    callback(AckReply{"socket has been disconnected", {}});
    return;
  }
  auto& server = core.nsp_->server;
  if (core.pending_acks_.size() >= server.options.max_pending_acks) {
    callback(AckReply{"too many pending acknowledgements", {}});
    return;
  }
  std::uint64_t id = core.next_ack_id_++;
  auto pending = std::make_shared<SocketCore::PendingAck>(
      SocketCore::PendingAck{std::move(callback), boost::asio::steady_timer(server.loops.context(loop()), timeout)});
  pending->timer.async_wait([weak = core.weak_from_this(), id](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self) return;
    auto it = self->pending_acks_.find(id);
    if (it == self->pending_acks_.end()) return;
    auto callback = std::move(it->second->callback);
    self->pending_acks_.erase(it);
    self->run_handler("acknowledgement", [&] { callback(AckReply{"operation has timed out", {}}); });
  });
  core.pending_acks_.emplace(id, std::move(pending));
  core.client_->send(detail::encode_event(core.nsp_->name, event, std::move(payload), id, {}));
}

void Socket::join(std::string room) {
  auto& core = SocketCore::of(*this);
  SIO_ASSERT_ON_LOOP(loop());
  if (std::find(core.rooms_.begin(), core.rooms_.end(), room) != core.rooms_.end()) return;
  if (core.connected_) core.nsp_->join(core, room);
  core.rooms_.push_back(std::move(room));
}

void Socket::leave(const std::string& room) {
  auto& core = SocketCore::of(*this);
  SIO_ASSERT_ON_LOOP(loop());
  auto it = std::find(core.rooms_.begin(), core.rooms_.end(), room);
  if (it == core.rooms_.end()) return;
  if (core.connected_) core.nsp_->leave(core, room);
  core.rooms_.erase(it);
}

Broadcast Socket::to(std::string room) const {
  const auto& core = SocketCore::of(*this);
  Broadcast b(core.nsp_);
  b.exclude_socket_ = core.id_;
  b.rooms_.push_back(std::move(room));
  return b;
}

Broadcast Socket::broadcast() const {
  const auto& core = SocketCore::of(*this);
  Broadcast b(core.nsp_);
  b.exclude_socket_ = core.id_;
  return b;
}

void Socket::disconnect(bool close_connection) {
  auto& core = SocketCore::of(*this);
  SIO_ASSERT_ON_LOOP(loop());
  if (!core.connected_) return;
  if (close_connection) {
    core.client_->disconnect_all();
    return;
  }
  core.close_with("server namespace disconnect", true);
}

Ack Socket::make_ack(std::uint64_t id) {
  auto& core = SocketCore::of(*this);
  return Ack(core.weak_from_this(), &core.nsp_->server.loops, loop(), id);
}

void Ack::send(Payload payload) const {
  if (!id_ || !loops_) return;
  loops_->dispatch(loop_, [socket = socket_, id = *id_, payload = std::move(payload)] {
    if (auto s = socket.lock()) SocketCore::of(*s).send_ack(id, payload);
  });
}

Socket::Ref Socket::ref() {
  auto& core = SocketCore::of(*this);
  Ref r;
  r.socket_ = core.weak_from_this();
  r.loops_ = &core.nsp_->server.loops;
  r.loop_ = loop();
  return r;
}

void Socket::Ref::post(std::function<void(Socket&)> fn) const {
  if (!loops_) return;
  loops_->dispatch(loop_, [socket = socket_, fn = std::move(fn)] {
    if (auto s = socket.lock(); s && s->connected()) fn(*s);
  });
}

}  // namespace sio
