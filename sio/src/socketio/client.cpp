// One Engine.IO session seen by Socket.IO: packet decoding, binary reassembly, namespace
// connection (middlewares, recovery), and the end of the connection.
#include <simdjson.h>

#include "socketio/core.hpp"
#include "util/invariants.hpp"
#include "sio/util/random.hpp"

namespace sio::detail {

using socketio::DecodeError;
using socketio::PacketType;

Client::Client(ServerCore& server, std::shared_ptr<engineio::Session> session)
    : server_(server),
      session_(std::move(session)),
      request_(session_->shared_request()) {}

void Client::start() {
  auto self = shared_from_this();
  session_->on_message = [self](const engineio::PacketView& message) { self->on_message(message); };
  session_->on_close = [self](engineio::CloseReason reason) { self->on_close(reason); };
  connect_timer_ = std::make_unique<boost::asio::steady_timer>(server_.loops.context(loop()), server_.options.connect_timeout);
  connect_timer_->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (self && self->sockets_.empty()) self->session_->close();
  });
}

void Client::send(const Packets& packets) {
  for (const auto& packet : packets) session_->send(packet);
}

SocketCore* Client::socket_of(std::string_view nsp) {
  for (auto& [name, socket] : sockets_) {
    if (name == nsp) return socket.get();
  }
  return nullptr;
}

void Client::forget(const std::string& nsp) {
  std::erase_if(sockets_, [&](const auto& entry) { return entry.first == nsp; });
}

// Anything that is not Socket.IO closes the connection, as the Node server does.
void Client::protocol_error() {
  partial_text_.clear();
  partial_attachments_.clear();
  session_->close();
}

void Client::on_message(const engineio::PacketView& message) {
  SIO_ASSERT_ON_LOOP(loop());
  auto& decoder = *server_.decoders[loop()];
  if (message.binary) {
    if (partial_expected_ == 0) {
      protocol_error();  // binary data outside a binary packet
      return;
    }
    partial_attachments_.emplace_back(message.data);
    if (partial_attachments_.size() < partial_expected_) return;
    partial_expected_ = 0;
    std::string text = std::move(partial_text_);
    std::vector<std::string> attachments = std::move(partial_attachments_);
    partial_text_.clear();
    partial_attachments_.clear();
    socketio::PacketView packet;
    if (decoder.decode(text, packet) != DecodeError::none) {
      protocol_error();
      return;
    }
    handle(packet, attachments);
    return;
  }
  if (partial_expected_ != 0) {
    protocol_error();  // text while attachments are still due
    return;
  }
  socketio::PacketView packet;
  if (decoder.decode(message.data, packet) != DecodeError::none) {
    protocol_error();
    return;
  }
  if (socketio::is_binary(packet.type) && packet.attachments > 0) {
    partial_text_.assign(message.data);
    partial_expected_ = packet.attachments;
    partial_attachments_.reserve(packet.attachments);
    return;
  }
  handle(packet, {});
}

void Client::handle(const socketio::PacketView& packet, std::span<const std::string> attachments) {
  switch (packet.type) {
    case PacketType::connect:
      connect(std::string(packet.nsp), packet.payload.empty() ? std::string("{}") : std::string(packet.payload));
      return;
    case PacketType::disconnect:
      if (auto* socket = socket_of(packet.nsp)) socket->close_with("client namespace disconnect", false);
      return;
    case PacketType::event:
    case PacketType::binary_event:
      if (auto* socket = socket_of(packet.nsp)) socket->dispatch_event(packet.event, Args(packet.args, attachments), packet.id);
      return;
    case PacketType::ack:
    case PacketType::binary_ack:
      if (auto* socket = socket_of(packet.nsp); socket && packet.id) socket->dispatch_ack(*packet.id, Args(packet.args, attachments));
      return;
    case PacketType::connect_error:
      protocol_error();  // only servers send these
      return;
  }
}

namespace {

// The recovery fields a reconnecting client adds to its auth object: {pid, offset}.
std::optional<std::pair<std::string, std::string>> recovery_fields(const std::string& auth) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(auth).get(doc)) return std::nullopt;
  std::string_view pid, offset;
  if (doc["pid"].get(pid) || doc["offset"].get(offset)) return std::nullopt;
  return std::make_pair(std::string(pid), std::string(offset));
}

}  // namespace

void Client::connect(std::string nsp_name, std::string auth) {
  NamespaceCore* nsp = server_.find(nsp_name);
  if (!nsp) {
    send(encode_connect_error(nsp_name, ConnectError{"Invalid namespace", {}}));
    return;
  }
  if (socket_of(nsp_name)) return;  // already connected there
  Handshake handshake{request_, std::move(auth), std::chrono::system_clock::now()};

  if (auto* recovery = server_.recovery.get()) {
    if (auto fields = recovery_fields(handshake.auth)) {
      if (auto restored = recovery->restore(fields->first, fields->second); restored && restored->session.nsp == nsp_name) {
        auto& saved = restored->session;
        auto socket = std::make_shared<SocketCore>(nsp, shared_from_this(), saved.sid, saved.pid, std::move(handshake));
        socket->recovered_ = true;
        socket->rooms_ = std::move(saved.rooms);
        socket->data = std::move(saved.data);
        if (server_.options.recovery.skip_middlewares) {
          finish_connect(std::move(socket), std::move(restored->missed));
        } else {
          run_middlewares(nsp, std::move(socket), 0);
        }
        return;
      }
    }
  }
  std::string pid = server_.recovery ? util::random_token(16) : std::string();
  auto socket = std::make_shared<SocketCore>(nsp, shared_from_this(), util::random_token(15), std::move(pid), std::move(handshake));
  run_middlewares(nsp, std::move(socket), 0);
}

void Client::run_middlewares(NamespaceCore* nsp, std::shared_ptr<SocketCore> socket, std::size_t index) {
  if (!session_->is_open()) return;
  if (index == nsp->middlewares.size()) {
    finish_connect(std::move(socket), {});
    return;
  }
  auto self = shared_from_this();
  Socket& ref = *socket;
  // `next` may be called later, from any thread: continue on this client's loop.
  nsp->middlewares[index](ref, [self, nsp, socket = std::move(socket), index](std::optional<ConnectError> error) mutable {
    self->server_.loops.dispatch(self->loop(), [self, nsp, socket = std::move(socket), index, error = std::move(error)]() mutable {
      if (!self->session_->is_open()) return;
      if (error) {
        self->send(encode_connect_error(nsp->name, *error));
        return;
      }
      self->run_middlewares(nsp, std::move(socket), index + 1);
    });
  });
}

void Client::finish_connect(std::shared_ptr<SocketCore> socket, std::vector<std::shared_ptr<const Packets>> missed) {
  if (socket_of(socket->nsp())) return;
  connect_timer_.reset();
  NamespaceCore* nsp = socket->nsp_;
  sockets_.emplace_back(nsp->name, socket);
  socket->connected_ = true;
  if (std::find(socket->rooms_.begin(), socket->rooms_.end(), socket->id()) == socket->rooms_.end()) {
    socket->rooms_.push_back(socket->id());  // every socket is in a room named by its id
  }
  nsp->add(*socket);
  send(encode_connect(nsp->name, socket->id(), socket->pid_));
  for (const auto& packets : missed) send(*packets);
  if (nsp->on_connection) socket->run_handler("connection", [&] { nsp->on_connection(*socket); });
}

void Client::on_close(engineio::CloseReason reason) {
  connect_timer_.reset();
  auto sockets = std::move(sockets_);
  sockets_.clear();
  for (auto& [nsp, socket] : sockets) socket->close_with(engineio::to_string(reason), false);
}

void Client::disconnect_all() {
  auto sockets = sockets_;
  for (auto& [nsp, socket] : sockets) socket->close_with("server namespace disconnect", true);
  session_->close();
}


void Client::abandon() {
  session_->on_message = nullptr;
  session_->on_close = nullptr;
  connect_timer_.reset();
  auto sockets = std::move(sockets_);
  sockets_.clear();
  for (auto& [nsp, socket] : sockets) {
    socket->connected_ = false;
    socket->handlers_.clear();
    socket->any_handler_ = nullptr;
    socket->on_disconnect_ = nullptr;
    socket->pending_acks_.clear();
    socket->data.reset();
  }
}

}  // namespace sio::detail
