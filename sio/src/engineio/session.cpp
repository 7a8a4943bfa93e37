// The Engine.IO session state machine; see session.hpp.
#include "engineio/session.hpp"

#include <boost/asio/post.hpp>

#include "util/exception_text.hpp"
#include "util/invariants.hpp"

namespace sio::engineio::detail {

namespace {

using transport::HttpResponse;
using transport::WebSocketChannel;

// Forwards a channel's events to its session without owning it: the session owns the channel.
struct ChannelHandler final : WebSocketChannel::Handler {
  ChannelHandler(std::weak_ptr<EngineSession> s, WebSocketChannel* c) : session(std::move(s)), channel(c) {}
  void on_frame(std::string_view data, bool binary) override {
    if (auto s = session.lock()) s->on_frame(channel, data, binary);
  }
  void on_closed(bool error) override {
    if (auto s = session.lock()) s->on_channel_closed(channel, error);
  }
  std::weak_ptr<EngineSession> session;
  WebSocketChannel* channel;
};

// Headers that describe the opening request's own connection, not the client: hop-by-hop
// (RFC 9110, 7.6.1) and the WebSocket handshake's. Meaningless after the handshake, and a
// third of what an idle connection would keep of its request.
bool describes_the_connection(std::string_view name) {
  return name == "connection" || name == "upgrade" || name == "keep-alive" || name == "te" ||
         name == "sec-websocket-key" || name == "sec-websocket-version" || name == "sec-websocket-extensions";
}

// What a session keeps of its opening request, for as long as it lives (the handshake data of
// every socket on it): no body, no connection headers, no spare capacity.
std::shared_ptr<const transport::HttpRequest> kept_request(transport::HttpRequest request) {
  request.body = std::string();
  std::erase_if(request.headers, [](const auto& header) { return describes_the_connection(header.first); });
  request.headers.shrink_to_fit();
  return std::make_shared<const transport::HttpRequest>(std::move(request));
}

const OutboundPacket& control_packet(PacketType type) {
  static const OutboundPacket ping = OutboundPacket::text(PacketType::ping, "");
  static const OutboundPacket noop = OutboundPacket::text(PacketType::noop, "");
  static const OutboundPacket close = OutboundPacket::text(PacketType::close, "");
  switch (type) {
    case PacketType::ping: return ping;
    case PacketType::close: return close;
    default: return noop;
  }
}

HttpResponse poll_response(std::string body) {
  return HttpResponse::text(200, std::move(body));
}

}  // namespace

EngineSession::EngineSession(std::string id, std::size_t loop, const transport::EventLoops& loops,
                             boost::asio::io_context& context, const ServerOptions& options,
                             transport::HttpRequest request, SessionRegistry& registry)
    : id_(std::move(id)),
      loop_(loop),
      loops_(loops),
      options_(options),
      request_(kept_request(std::move(request))),
      registry_(registry),
      heartbeat_(context) {
}

std::size_t EngineSession::buffered() const {
  SIO_ASSERT_ON_LOOP(loop_);
  if (transport_ == TransportKind::websocket && websocket_) return websocket_->queued();
  return outbox_.size();
}

std::size_t EngineSession::buffered_bytes() const {
  SIO_ASSERT_ON_LOOP(loop_);
  SIO_ASSERT(!outbox_.empty() || outbox_bytes_ == 0, "an empty outbox counts no bytes");
  if (transport_ == TransportKind::websocket && websocket_) return websocket_->queued_bytes();
  return outbox_bytes_;
}

void EngineSession::open_polling(transport::Responder respond) {
  SIO_ASSERT_ON_LOOP(loop_);
  transport_ = TransportKind::polling;
  bool can_upgrade = options_.allow_upgrades && options_.allow_websocket;
  respond(poll_response("0" + encode_open_packet(id_, can_upgrade, options_.ping_interval.count(),
                                                 options_.ping_timeout.count(), options_.max_payload)));
  schedule_ping();
}

void EngineSession::open_websocket(std::shared_ptr<WebSocketChannel> channel) {
  SIO_ASSERT_ON_LOOP(loop_);
  SIO_ASSERT(channel->loop() == loop_, "a session's channel lives on the session's loop");
  transport_ = TransportKind::websocket;
  websocket_ = std::move(channel);
  websocket_->set_handler(std::make_shared<ChannelHandler>(weak_from_this(), websocket_.get()));
  websocket_->send(OutboundPacket::text(PacketType::open, encode_open_packet(id_, false, options_.ping_interval.count(),
                                                                             options_.ping_timeout.count(),
                                                                             options_.max_payload))
                       .wire,
                   false);
  schedule_ping();
}

// --- sending ------------------------------------------------------------------------------

void EngineSession::send(const OutboundPacket& packet) {
  SIO_ASSERT_ON_LOOP(loop_);
  if (state_ != State::open) return;
  if (transport_ == TransportKind::websocket) {
    SIO_ASSERT(websocket_, "an open WebSocket session has its channel");
    // The channel holds its queue to max_buffered_bytes (set when it was opened): past it the
    // channel fails, and its end closes the session ("transport error") from the loop.
    websocket_->send(packet.wire, packet.binary);
    return;
  }
  enqueue(packet);
}

void EngineSession::enqueue(const OutboundPacket& packet) {
  if (overflowed_) return;
  outbox_bytes_ += packet.wire->size() + transport::WebSocketChannel::per_message_cost;
  if (outbox_bytes_ > options_.max_buffered_bytes) {
    // A client this far behind is not coming back: drop what it has not fetched, and close
    // once the running handler has returned (as the WebSocket channel does: the layer above
    // learns of the end from the loop, not in the middle of its send).
    overflowed_ = true;
    clear_outbox();
    boost::asio::post(heartbeat_.get_executor(), [self = shared_from_this()] { self->close_with(CloseReason::transport_error); });
    return;
  }
  outbox_.push_back(packet);
  schedule_flush();
}

std::string EngineSession::take_outbox(const OutboundPacket* last) {
  std::string body;
  for (const auto& packet : outbox_) append_to_payload(packet, body);
  if (last) append_to_payload(*last, body);
  clear_outbox();
  return body;
}

void EngineSession::clear_outbox() {
  outbox_.clear();
  outbox_bytes_ = 0;
}

// Packets sent during one turn of the loop leave together in one polling response.
void EngineSession::schedule_flush() {
  if (flush_scheduled_ || !pending_poll_) return;
  flush_scheduled_ = true;
  boost::asio::post(heartbeat_.get_executor(), [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush_polling();
  });
}

void EngineSession::flush_polling() {
  if (transport_ != TransportKind::polling || probed_ || !pending_poll_ || outbox_.empty()) return;
  respond_poll(take_outbox());
}

void EngineSession::respond_poll(std::string body) {
  if (!pending_poll_) return;
  auto respond = std::move(*pending_poll_);
  pending_poll_.reset();
  respond(poll_response(std::move(body)));
}

// --- receiving ----------------------------------------------------------------------------

void EngineSession::on_poll(transport::Responder respond) {
  SIO_ASSERT_ON_LOOP(loop_);
  if (state_ == State::closing) {
    // The server closed the session: the packets it still had go first, the close packet in
    // the GET after them (a client handles a payload's packets after the transport's close).
    if (!outbox_.empty()) {
      respond(poll_response(take_outbox()));
      return;
    }
    respond(poll_response("1"));
    release();
    return;
  }
  if (pending_poll_) {
    // Two GETs at once: a broken or hostile client. The Node server closes the session.
    respond(HttpResponse::json(400, R"({"code":3,"message":"Bad request"})"));
    close_with(CloseReason::transport_error);
    return;
  }
  if (probed_) {
    // An upgrade is under way: end this polling cycle so the client can finish it.
    respond(poll_response("6"));
    return;
  }
  pending_poll_ = std::move(respond);
  schedule_flush();
}

void EngineSession::on_post(std::string_view body, transport::Responder respond) {
  SIO_ASSERT_ON_LOOP(loop_);
  if (state_ != State::open) {
    respond(HttpResponse::json(400, R"({"code":1,"message":"Session ID unknown"})"));
    return;
  }
  std::vector<Packet> packets;
  if (!decode_payload(body, packets)) {
    respond(HttpResponse::json(400, R"({"code":3,"message":"Bad request"})"));
    close_with(CloseReason::parse_error);
    return;
  }
  auto self = shared_from_this();  // a handler may close the session
  for (const auto& packet : packets) {
    if (state_ != State::open) break;
    handle_packet(PacketView{packet.type, packet.binary, packet.data});
  }
  HttpResponse ok = HttpResponse::text(200, "ok");
  ok.content_type = "text/html";
  respond(std::move(ok));
}

void EngineSession::on_frame(WebSocketChannel* channel, std::string_view data, bool binary) {
  SIO_ASSERT_ON_LOOP(loop_);
  if (state_ != State::open) return;
  if (probe_ && channel == probe_.get()) {
    if (!binary && data == "2probe") {
      probe_->send(OutboundPacket::text(PacketType::pong, "probe").wire, false);
      probed_ = true;
      respond_poll("6");
    } else if (!binary && data == "5") {
      finish_upgrade();
    } else {
      abort_upgrade();
    }
    return;
  }
  if (!websocket_ || channel != websocket_.get()) return;
  if (binary) {
    handle_packet(decode_binary_frame(data));
    return;
  }
  auto packet = decode_text_frame(data);
  if (!packet) {
    close_with(CloseReason::parse_error);
    return;
  }
  handle_packet(*packet);
}

void EngineSession::handle_packet(const PacketView& packet) {
  switch (packet.type) {
    case PacketType::message:
      if (!on_message) break;
      try {
        on_message(packet);
      } catch (...) {
        callback_failed("on_message");
      }
      break;
    case PacketType::pong:
      if (awaiting_pong_) schedule_ping();
      break;
    case PacketType::close:
      close_with(CloseReason::transport_close);
      break;
    default:
      break;  // ping (v3 clients), noop, open, upgrade outside an upgrade: nothing to do
  }
}

// --- heartbeat ----------------------------------------------------------------------------

void EngineSession::schedule_ping() {
  awaiting_pong_ = false;
  heartbeat_.expires_after(options_.ping_interval);
  heartbeat_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_heartbeat_timer();
  });
}

void EngineSession::on_heartbeat_timer() {
  if (state_ == State::closing) {
    release();  // the polling client never came back for the close packet
    return;
  }
  if (state_ != State::open) return;
  if (awaiting_pong_) {
    close_with(CloseReason::ping_timeout);
    return;
  }
  awaiting_pong_ = true;
  heartbeat_.expires_after(options_.ping_timeout);
  heartbeat_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_heartbeat_timer();
  });
  send(control_packet(PacketType::ping));
}

// --- upgrade ------------------------------------------------------------------------------

bool EngineSession::upgrade_possible() const {
  return state_ == State::open && transport_ == TransportKind::polling && !probe_ && options_.allow_upgrades;
}

void EngineSession::on_upgrade_channel(std::shared_ptr<WebSocketChannel> channel) {
  SIO_ASSERT_ON_LOOP(loop_);
  SIO_ASSERT(channel->loop() == loop_, "a session's channel lives on the session's loop");
  if (!upgrade_possible()) {
    channel->close();  // already upgraded (or upgrading): accepted, then closed, as Node does
    return;
  }
  probe_ = std::move(channel);
  probe_->set_handler(std::make_shared<ChannelHandler>(weak_from_this(), probe_.get()));
  upgrade_timer_ = std::make_unique<boost::asio::steady_timer>(heartbeat_.get_executor(), options_.upgrade_timeout);
  upgrade_timer_->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->abort_upgrade();
  });
}

void EngineSession::finish_upgrade() {
  SIO_ASSERT(probe_ && transport_ == TransportKind::polling, "an upgrade finishes a polling session's probe");
  transport_ = TransportKind::websocket;
  websocket_ = std::move(probe_);
  probed_ = false;
  upgrade_timer_.reset();
  respond_poll("6");
  // What polling had not delivered goes first on the WebSocket (whose send never calls back).
  for (const auto& packet : outbox_) websocket_->send(packet.wire, packet.binary);
  clear_outbox();
  outbox_.shrink_to_fit();
}

void EngineSession::abort_upgrade() {
  upgrade_timer_.reset();
  probed_ = false;
  if (auto probe = std::move(probe_)) probe->close();
  schedule_flush();
}

void EngineSession::on_channel_closed(WebSocketChannel* channel, bool error) {
  SIO_ASSERT_ON_LOOP(loop_);
  if (probe_ && channel == probe_.get()) {
    abort_upgrade();
    return;
  }
  if (websocket_ && channel == websocket_.get()) {
    websocket_.reset();
    if (state_ == State::open) close_with(error ? CloseReason::transport_error : CloseReason::transport_close);
    release();
  }
}

// --- closing ------------------------------------------------------------------------------

void EngineSession::close_with(CloseReason reason) {
  SIO_ASSERT_ON_LOOP(loop_);
  if (state_ != State::open) return;
  auto self = shared_from_this();
  state_ = State::closing;
  heartbeat_.cancel();
  if (probe_) abort_upgrade();

  // The layer above learns first, so what it sends in its goodbye still goes out.
  on_message = nullptr;
  if (auto notify = std::move(on_close)) {
    try {
      notify(reason);
    } catch (...) {
      loops_.report_error("Engine.IO session of " + request_->remote_address + ": on_close failed: " + util::current_exception_text());
    }
  }
  on_close = nullptr;

  if (transport_ == TransportKind::websocket) {
    if (websocket_) {
      auto channel = std::move(websocket_);
      channel->close();
    }
    release();
    return;
  }
  bool goodbye_due = reason == CloseReason::forced_close || reason == CloseReason::server_shutdown;
  if (pending_poll_) {
    if (reason == CloseReason::transport_close) {
      respond_poll("6");  // the client asked to close: just end its polling cycle
      release();
      return;
    }
    if (!goodbye_due || outbox_.empty()) {
      respond_poll(take_outbox(&control_packet(PacketType::close)));
      release();
      return;
    }
    flush_polling();  // the last packets now, the close packet in the next GET
  }
  if (goodbye_due) {
    // Keep the session until the client's next GETs take the rest and the close packet, or
    // give up after a heartbeat's time.
    heartbeat_.expires_after(options_.ping_interval + options_.ping_timeout);
    heartbeat_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->on_heartbeat_timer();
    });
    return;
  }
  release();
}

void EngineSession::callback_failed(const char* callback) {
  loops_.report_error("Engine.IO session of " + request_->remote_address + ": " + callback + " failed: " + util::current_exception_text());
  close_with(CloseReason::forced_close);
}

void EngineSession::release() {
  if (state_ == State::closed) return;
  SIO_ASSERT(state_ != State::open, "a session is closed (and the layer above told) before it is released");
  auto self = shared_from_this();
  state_ = State::closed;
  heartbeat_.cancel();
  upgrade_timer_.reset();
  clear_outbox();
  if (pending_poll_) respond_poll("6");
  registry_.remove(id_, loop_);
}

}  // namespace sio::engineio::detail
