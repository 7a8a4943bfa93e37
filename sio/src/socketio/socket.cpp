// A socket: one client in one namespace. Events in, events and acks out, rooms, the end.
#include "socketio/core.hpp"

#include <algorithm>

namespace sio {

using detail::Packets;

struct Socket::PendingAck {
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

Socket::Socket(detail::NamespaceCore* nsp, std::shared_ptr<detail::Client> client, std::string id, std::string pid,
               Handshake handshake)
    : nsp_(nsp), client_(std::move(client)), id_(std::move(id)), pid_(std::move(pid)), handshake_(std::move(handshake)) {}

Socket::~Socket() = default;

const std::string& Socket::nsp() const { return nsp_->name; }
std::size_t Socket::loop() const { return client_->loop(); }
TransportKind Socket::transport() const { return client_->transport(); }

void Socket::emit_payload(std::string_view event, Payload payload) {
  if (!connected_) return;
  if (auto* recovery = nsp_->server.recovery.get()) {
    detail::Audience audience{{id_}, {}, {}};
    auto packets = recovery->log(nsp_->name, audience, [&](std::string_view offset) {
      return detail::encode_event(nsp_->name, event, std::move(payload), std::nullopt, offset);
    });
    client_->send(*packets);
    return;
  }
  client_->send(detail::encode_event(nsp_->name, event, std::move(payload), std::nullopt, {}));
}

void Socket::emit_with_ack(std::string_view event, Payload payload, std::chrono::milliseconds timeout,
                           AckCallback callback) {
  if (!connected_) {
    callback(AckReply{"socket has been disconnected", {}});
    return;
  }
  if (pending_acks_.size() >= nsp_->server.options.max_pending_acks) {
    callback(AckReply{"too many pending acknowledgements", {}});
    return;
  }
  std::uint64_t id = next_ack_id_++;
  auto pending = std::make_shared<PendingAck>(PendingAck{std::move(callback), boost::asio::steady_timer(
                                                                                  nsp_->server.loops.context(loop()), timeout)});
  pending->timer.async_wait([weak = weak_from_this(), id](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self) return;
    auto it = self->pending_acks_.find(id);
    if (it == self->pending_acks_.end()) return;
    auto callback = std::move(it->second->callback);
    self->pending_acks_.erase(it);
    callback(AckReply{"operation has timed out", {}});
  });
  pending_acks_.emplace(id, std::move(pending));
  client_->send(detail::encode_event(nsp_->name, event, std::move(payload), id, {}));
}

std::vector<std::pair<std::string, Socket::EventHandler>>::iterator Socket::find_handler(std::string_view event) {
  return std::find_if(handlers_.begin(), handlers_.end(), [&](const auto& h) { return h.first == event; });
}

void Socket::on(std::string event, EventHandler handler) {
  auto it = find_handler(event);
  if (it != handlers_.end()) {
    it->second = std::move(handler);
  } else {
    handlers_.emplace_back(std::move(event), std::move(handler));
  }
}

void Socket::dispatch_event(const std::string& event, const Args& args, std::optional<std::uint64_t> ack_id) {
  Ack ack = ack_id ? detail::Client::make_ack(*this, *ack_id) : Ack();
  auto it = find_handler(event);
  if (it != handlers_.end()) {
    auto handler = it->second;  // the handler may replace itself
    handler(*this, args, std::move(ack));
  } else if (any_handler_) {
    auto handler = any_handler_;
    handler(*this, args, std::move(ack));
  }
}

void Socket::dispatch_ack(std::uint64_t id, const Args& args) {
  auto it = pending_acks_.find(id);
  if (it == pending_acks_.end()) return;  // unknown, late or repeated: ignored
  auto pending = std::move(it->second);
  pending_acks_.erase(it);
  pending->timer.cancel();
  pending->callback(AckReply{std::nullopt, args});
}

void Socket::send_ack(std::uint64_t id, const Payload& payload) {
  if (!connected_) return;
  client_->send(detail::encode_ack(nsp_->name, id, payload));
}

void Ack::send(Payload payload) const {
  if (!id_ || !loops_) return;
  loops_->dispatch(loop_, [socket = socket_, id = *id_, payload = std::move(payload)] {
    if (auto s = socket.lock()) s->send_ack(id, payload);
  });
}

void Socket::join(std::string room) {
  if (std::find(rooms_.begin(), rooms_.end(), room) != rooms_.end()) return;
  if (connected_) nsp_->join(*this, room);
  rooms_.push_back(std::move(room));
}

void Socket::leave(const std::string& room) {
  auto it = std::find(rooms_.begin(), rooms_.end(), room);
  if (it == rooms_.end()) return;
  if (connected_) nsp_->leave(*this, room);
  rooms_.erase(it);
}

Broadcast Socket::to(std::string room) const {
  Broadcast b(nsp_);
  b.exclude_socket_ = id_;
  b.rooms_.push_back(std::move(room));
  return b;
}

Broadcast Socket::broadcast() const {
  Broadcast b(nsp_);
  b.exclude_socket_ = id_;
  return b;
}

void Socket::disconnect(bool close_connection) {
  if (!connected_) return;
  if (close_connection) {
    client_->disconnect_all();
    return;
  }
  close_with("server namespace disconnect", true);
}

void Socket::close_with(std::string_view reason, bool notify_client) {
  if (!connected_) return;
  auto self = shared_from_this();
  connected_ = false;
  if (notify_client) client_->send(detail::encode_disconnect(nsp_->name));
  nsp_->remove(*this);
  client_->forget(nsp_->name);
  if (auto* recovery = nsp_->server.recovery.get(); recovery && recoverable(reason)) {
    recovery->persist({id_, pid_, nsp_->name, rooms_, data, std::chrono::steady_clock::now()});
  }
  auto pending = std::move(pending_acks_);
  pending_acks_.clear();
  for (auto& [id, ack] : pending) {
    ack->timer.cancel();
    ack->callback(AckReply{"socket has been disconnected", {}});
  }
  if (auto handler = std::move(on_disconnect_)) handler(*this, reason);
  // Handlers often capture what owns this socket: drop them to break the cycle.
  handlers_.clear();
  any_handler_ = nullptr;
}

Socket::Ref Socket::ref() {
  Ref r;
  r.socket_ = weak_from_this();
  r.loops_ = &nsp_->server.loops;
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
