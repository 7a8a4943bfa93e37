// One Engine.IO session: its transport (polling, WebSocket, or polling being upgraded), its
// heartbeat, and the packets waiting for a polling client. Lives on one loop; see server.hpp.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include "sio/engineio/server.hpp"

namespace sio::engineio::detail {

class SessionRegistry;

class EngineSession final : public Session, public std::enable_shared_from_this<EngineSession> {
 public:
  EngineSession(std::string id, std::size_t loop, const transport::EventLoops& loops, boost::asio::io_context& context,
                const ServerOptions& options, transport::HttpRequest request, SessionRegistry& registry);

  const std::string& id() const override { return id_; }
  std::size_t loop() const override { return loop_; }
  TransportKind transport() const override { return transport_; }
  bool is_open() const override { return state_ == State::open; }
  const transport::HttpRequest& request() const override { return *request_; }
  std::shared_ptr<const transport::HttpRequest> shared_request() const override { return request_; }
  void send(const OutboundPacket& packet) override;
  std::size_t buffered() const override;
  std::size_t buffered_bytes() const override;
  void close() override { close_with(CloseReason::forced_close); }

  // Starts the heartbeat and sends the open packet on the transport the session opened with.
  void open_polling(transport::Responder respond);
  void open_websocket(std::shared_ptr<transport::WebSocketChannel> channel);

  // Polling requests.
  void on_poll(transport::Responder respond);
  void on_post(std::string_view body, transport::Responder respond);
  // A WebSocket opened with this session's sid: the start of an upgrade.
  void on_upgrade_channel(std::shared_ptr<transport::WebSocketChannel> channel);
  bool upgrade_possible() const;

  // From the channels' handlers.
  void on_frame(transport::WebSocketChannel* channel, std::string_view data, bool binary);
  void on_channel_closed(transport::WebSocketChannel* channel, bool error);

  void close_with(CloseReason reason);
  // The layer above failed in a callback of this session: report it, and close the session.
  void callback_failed(const char* callback);

 private:
  enum class State { open, closing, closed };

  void handle_packet(const PacketView& packet);
  void schedule_ping();
  void on_heartbeat_timer();
  void schedule_flush();
  void flush_polling();
  void finish_upgrade();
  void abort_upgrade();
  void respond_poll(std::string body);
  void enqueue(const OutboundPacket& packet);
  // The outbox as one polling payload (then empty), with `last` after its packets if given.
  std::string take_outbox(const OutboundPacket* last = nullptr);
  void clear_outbox();
  void release();

  std::string id_;
  std::size_t loop_;
  const transport::EventLoops& loops_;
  const ServerOptions& options_;
  std::shared_ptr<const transport::HttpRequest> request_;  // without its body
  SessionRegistry& registry_;
  boost::asio::steady_timer heartbeat_;
  std::unique_ptr<boost::asio::steady_timer> upgrade_timer_;

  State state_ = State::open;
  TransportKind transport_ = TransportKind::polling;
  bool awaiting_pong_ = false;

  // WebSocket transport (after an upgrade or from the start).
  std::shared_ptr<transport::WebSocketChannel> websocket_;
  // Upgrade in progress: the new channel, and whether the probe has been answered.
  std::shared_ptr<transport::WebSocketChannel> probe_;
  bool probed_ = false;

  // Polling transport.
  std::optional<transport::Responder> pending_poll_;
  std::vector<OutboundPacket> outbox_;
  std::size_t outbox_bytes_ = 0;  // as WebSocketChannel::queued_bytes counts them
  bool overflowed_ = false;       // past max_buffered_bytes: closing
  bool flush_scheduled_ = false;
  bool close_packet_due_ = false;  // the client must still be told by a polling GET
};

// The sessions of one loop, by id.
class SessionRegistry {
 public:
  virtual ~SessionRegistry() = default;
  virtual void remove(const std::string& id, std::size_t loop) = 0;
};

}  // namespace sio::engineio::detail
