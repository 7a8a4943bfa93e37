// A WebSocket connection seen by the layers above as a WebSocketChannel. Boost.Beast performs
// the HTTP upgrade; the frames after it go through our framing code (websocket_frame.hpp)
// on the bare TCP socket, for two reasons Beast's stream cannot serve:
// - writes: every message queued by the time a write starts leaves in one system call (Beast
//   writes one message per call: the broadcast-heavy chat path paid a syscall per message), and
//   a write starts only after the handler that queued the first message has returned, so that
//   what one handler sends to a connection (an ack and a broadcast, a batch of deliveries) leaves
//   together;
// - memory: an idle connection holds no read buffer (it waits for readability and then reads
//   into its loop's shared buffer), where Beast keeps buffers and state of several KB.
// Writes, like reads, are non-blocking calls made when the socket is ready: a peer that stops
// reading shows as a write that cannot go on, which is how its stall is timed (see
// WebSocketLimits::write_timeout) without a timer on the path of writes that go through.
#include <array>
#include <chrono>
#include <span>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "transport/beast.hpp"
#include "transport/websocket_frame.hpp"
#include "util/exception_text.hpp"
#include "util/invariants.hpp"

namespace sio::transport::detail {

namespace {

constexpr std::size_t max_messages_per_write = 64;
constexpr std::size_t read_chunk = 64 * 1024;

// One read buffer per loop thread, shared by its connections: a connection only borrows it
// while it parses what just arrived; what is left of a partial frame moves to its own buffer.
char* loop_read_buffer() {
  thread_local std::array<char, read_chunk> buffer;
  return buffer.data();
}

class RawWebSocketChannel final : public WebSocketChannel, public std::enable_shared_from_this<RawWebSocketChannel> {
 public:
  RawWebSocketChannel(const EventLoops& loops, std::size_t loop, tcp::socket socket, WebSocketLimits limits,
                      ConnectionLimits::Slot slot)
      : loops_(loops),
        loop_(loop),
        socket_(std::move(socket)),
        slot_(std::move(slot)),
        parser_(limits.max_message_bytes),
        write_timeout_(limits.write_timeout) {
    beast::error_code ec;
    socket_.non_blocking(true, ec);
  }

  void start() { wait_readable(); }

  // Closes as the server's failure (1011).
  void close_failed() { close_with(ws::close_internal_error, true); }

  // Reports that the code above failed in one of this channel's callbacks.
  void handler_failed(const char* callback) {
    loops_.report_error(std::string("WebSocket handler ") + callback + " failed: " + util::current_exception_text());
  }

  void set_handler(std::shared_ptr<Handler> handler) override {
    SIO_ASSERT_ON_LOOP(loop_);
    handler_ = std::move(handler);
  }

  void send(std::shared_ptr<const std::string> data, bool binary) override {
    SIO_ASSERT_ON_LOOP(loop_);
    SIO_ASSERT(data, "a message has bytes (perhaps none)");
    if (closing_ || closed_) return;
    enqueue({std::move(data), binary ? ws::Opcode::binary : ws::Opcode::text});
  }

  void close() override {
    SIO_ASSERT_ON_LOOP(loop_);
    close_with(ws::close_normal, false);
  }

  void set_max_message_size(std::uint64_t bytes) override {
    SIO_ASSERT_ON_LOOP(loop_);
    parser_ = ws::FrameParser(bytes);
  }
  void set_max_queued_bytes(std::size_t bytes) override {
    SIO_ASSERT_ON_LOOP(loop_);
    max_queued_bytes_ = bytes;
  }
  std::size_t queued() const override {
    SIO_ASSERT_ON_LOOP(loop_);
    return queue_.size();
  }
  std::size_t queued_bytes() const override {
    SIO_ASSERT_ON_LOOP(loop_);
    return queued_bytes_;
  }
  std::size_t loop() const override { return loop_; }

 private:
  struct Outgoing {
    std::shared_ptr<const std::string> data;
    ws::Opcode opcode;
  };

  // --- reading ------------------------------------------------------------------------------

  void wait_readable() {
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        self->finish(ec != asio::error::operation_aborted);
        return;
      }
      self->on_readable();
    });
  }

  void on_readable() {
    auto self = shared_from_this();  // a handler may drop the last other reference
    char* chunk = loop_read_buffer();
    for (;;) {
      beast::error_code ec;
      std::size_t n = socket_.read_some(asio::buffer(chunk, read_chunk), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
      if (ec) {
        // EOF after our close frame is the clean end; anything else is the peer vanishing.
        finish(!(ec == asio::error::eof && close_sent_));
        return;
      }
      if (!parse(chunk, n) || closed_) return;
      if (n < read_chunk) break;  // drained for now
    }
    if (!closed_) wait_readable();
  }

  // Hands every complete frame to the handler; keeps the bytes of a partial one. False when
  // the connection is over.
  bool parse(char* chunk, std::size_t n) {
    char* data = chunk;
    std::size_t size = n;
    if (!partial_.empty()) {
      partial_.append(chunk, n);
      data = partial_.data();
      size = partial_.size();
    }
    std::size_t offset = 0;
    while (offset < size && !closed_) {
      std::size_t used = 0;
      ws::Event event;
      auto status = parser_.next(data + offset, size - offset, used, event);
      if (status == ws::FrameParser::Status::need_more) break;
      if (status == ws::FrameParser::Status::error) {
        close_with(parser_.error_code(), true);
        return false;
      }
      offset += used;
      if (!on_event(event)) return false;
    }
    if (closed_) return false;
    if (offset < size) {
      if (partial_.empty()) {
        partial_.assign(data + offset, size - offset);
      } else {
        partial_.erase(0, offset);
      }
    } else {
      partial_.clear();
      if (partial_.capacity() > 64 * 1024) partial_.shrink_to_fit();
    }
    return true;
  }

  bool on_event(const ws::Event& event) {
    using Kind = ws::Event::Kind;
    switch (event.kind) {
      case Kind::message:
        if (handler_ && !closing_) {
          try {
            handler_->on_frame(event.payload, event.binary);
          } catch (...) {
            handler_failed("on_frame");
            close_failed();
          }
        }
        return !closed_;
      case Kind::ping:
        enqueue_control(ws::Opcode::pong, event.payload);
        return true;
      case Kind::close:
        peer_closed_ = true;
        if (close_sent_) {
          finish(false);  // the answer to our close frame: the handshake is complete
        } else {
          // The peer ends it, whatever its code (1001 is a browser tab closing): answer with
          // that code (or normal), then close the socket. An orderly end, not an error.
          close_with(event.close_code ? event.close_code : ws::close_normal, false);
        }
        return false;
      case Kind::pong:
      case Kind::none:
        return true;
    }
    return true;
  }

  // --- writing ------------------------------------------------------------------------------

  static std::size_t cost(const Outgoing& message) { return message.data->size() + per_message_cost; }

  void enqueue(Outgoing message) {
    if (overflowed_) return;
    queued_bytes_ += cost(message);
    queue_.push_back(std::move(message));
    if (max_queued_bytes_ != 0 && queued_bytes_ > max_queued_bytes_) {
      overflow();
      return;
    }
    if (!writing_) write_soon();
  }

  // The peer is too far behind: drop what it has not read, take nothing more, and end the
  // connection as failed once the running handler has returned. The layer above learns of it
  // then, not in the middle of the send that overflowed (which may be one of many it makes on
  // behalf of an object the end destroys).
  void overflow() {
    overflowed_ = true;
    closing_ = true;  // nothing more is sent, not even a close frame: the peer does not read
    queue_.clear();
    buffers_.clear();
    queued_bytes_ = 0;
    batch_size_ = 0;
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->finish(true); });
  }

  void enqueue_control(ws::Opcode opcode, std::string_view payload) {
    if (closing_ || closed_) return;  // nothing may follow our close frame, not even a pong
    enqueue({std::make_shared<const std::string>(payload), opcode});
  }

  // Starts a write once the running handler returns: whatever else it queues joins this write.
  void write_soon() {
    writing_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->write_next(); });
  }

  // Writes what the socket takes now, batch after batch, until the queue is empty or the
  // socket is full (then waits until it is writable again).
  void write_next() {
    for (;;) {
      if (closed_) {  // ended while a write was due
        writing_ = false;
        return;
      }
      if (batch_size_ == 0 && !gather_batch()) {
        writing_ = false;
        if (close_sent_) after_close_sent();
        return;
      }
      beast::error_code ec;
      std::size_t written = socket_.write_some(std::span(buffers_).subspan(next_buffer_), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again || (!ec && written == 0)) {
        wait_writable();
        return;
      }
      if (ec) {
        finish(true);
        return;
      }
      if (consume(written)) finish_batch();
    }
  }

  // Frames the first messages of the queue (up to a close frame) into buffers_; false when the
  // queue is empty.
  bool gather_batch() {
    SIO_ASSERT(batch_size_ == 0, "one batch at a time");
    if (queue_.empty()) {
      SIO_ASSERT(queued_bytes_ == 0, "an empty queue counts no bytes");
      return false;
    }
    std::size_t count = std::min(queue_.size(), max_messages_per_write);
    buffers_.clear();
    buffers_.reserve(2 * count);
    headers_.resize(count * ws::max_header_size);
    for (std::size_t i = 0; i < count; ++i) {
      auto& message = queue_[i];
      std::uint8_t* header = headers_.data() + i * ws::max_header_size;
      std::size_t header_size = ws::write_header(header, message.opcode, message.data->size());
      buffers_.emplace_back(header, header_size);
      if (!message.data->empty()) buffers_.emplace_back(message.data->data(), message.data->size());
      if (message.opcode == ws::Opcode::close) {
        close_sent_ = true;
        count = i + 1;  // nothing may follow a close frame
        break;
      }
    }
    batch_size_ = count;
    next_buffer_ = 0;
    return true;
  }

  // Drops the `written` bytes from the front of the batch; true when all of it is written.
  bool consume(std::size_t written) {
    while (written > 0) {
      SIO_ASSERT(next_buffer_ < buffers_.size(), "the socket wrote no more than it was given");
      auto& buffer = buffers_[next_buffer_];
      if (written < buffer.size()) {
        buffer += written;
        return false;
      }
      written -= buffer.size();
      ++next_buffer_;
    }
    return next_buffer_ == buffers_.size();
  }

  void finish_batch() {
    auto written = queue_.begin() + static_cast<std::ptrdiff_t>(batch_size_);
    for (auto it = queue_.begin(); it != written; ++it) {
      SIO_ASSERT(queued_bytes_ >= cost(*it), "the byte count covers every queued message");
      queued_bytes_ -= cost(*it);
    }
    queue_.erase(queue_.begin(), written);
    if (queue_.empty() && queue_.capacity() > 1024) queue_.shrink_to_fit();
    batch_size_ = 0;
  }

  // The socket is full: the peer is reading slower than we write, or not at all. Each wait
  // starts right after the last bytes went out (or a new batch began), so the time since the
  // latest wait began is the time without progress.
  void wait_writable() {
    waiting_writable_ = true;
    if (write_timeout_.count() > 0) {
      stalled_since_ = std::chrono::steady_clock::now();
      if (!stall_timer_armed_) arm_stall_timer(stalled_since_ + write_timeout_);
    }
    socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code ec) {
      self->waiting_writable_ = false;
      if (self->closed_) return;
      if (ec) {
        self->finish(true);
        return;
      }
      self->write_next();
    });
  }

  void arm_stall_timer(std::chrono::steady_clock::time_point deadline) {
    if (!stall_timer_) stall_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor());
    stall_timer_armed_ = true;
    stall_timer_->expires_at(deadline);
    stall_timer_->async_wait([weak = weak_from_this()](beast::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->on_stall_timer();
    });
  }

  void on_stall_timer() {
    stall_timer_armed_ = false;
    if (closed_ || !waiting_writable_) return;  // caught up meanwhile
    auto deadline = stalled_since_ + write_timeout_;
    if (std::chrono::steady_clock::now() < deadline) {
      arm_stall_timer(deadline);  // it moved on, then stalled again
      return;
    }
    finish(true);  // nothing written for write_timeout: the peer does not read
  }

  // --- closing ------------------------------------------------------------------------------

  // Queues a close frame after what is queued; nothing else is sent after it. `error`: the
  // peer broke the protocol (the end is reported as an error).
  void close_with(std::uint16_t code, bool error) {
    if (closing_ || closed_) return;
    closing_ = true;
    protocol_error_ = error;
    std::string frame_payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    enqueue({std::make_shared<const std::string>(std::move(frame_payload)), ws::Opcode::close});
  }

  // Our close frame is out. If the peer already closed, we are done; else give it a moment
  // to answer (its close frame or EOF ends the connection in on_readable).
  void after_close_sent() {
    if (peer_closed_ || protocol_error_) {
      finish(protocol_error_);
      return;
    }
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    close_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), std::chrono::seconds(2));
    close_timer_->async_wait([weak = weak_from_this()](beast::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->finish(false);
    });
  }

  // Reports the end once, closes the socket, and drops the handler (which owns this channel).
  void finish(bool error) {
    if (closed_) return;
    closed_ = true;
    // Writes are synchronous calls: no system call still reads from the queue.
    queue_.clear();
    buffers_.clear();
    queued_bytes_ = 0;
    batch_size_ = 0;
    close_timer_.reset();
    stall_timer_.reset();
    beast::error_code ec;
    socket_.close(ec);
    slot_ = {};
    if (auto handler = std::move(handler_)) {
      try {
        handler->on_closed(error);
      } catch (...) {
        handler_failed("on_closed");
      }
    }
  }

  const EventLoops& loops_;
  std::size_t loop_;
  tcp::socket socket_;
  ConnectionLimits::Slot slot_;  // its place among its address's connections, while open
  ws::FrameParser parser_;
  std::string partial_;  // bytes of a frame not yet complete
  std::vector<Outgoing> queue_;
  std::size_t queued_bytes_ = 0;      // see queued_bytes()
  std::size_t max_queued_bytes_ = 0;  // 0: no bound
  // The batch being written: the first batch_size_ messages of the queue, framed into buffers_
  // (header, payload, ...), of which those before next_buffer_ are written.
  std::vector<asio::const_buffer> buffers_;
  std::vector<std::uint8_t> headers_;
  std::size_t batch_size_ = 0;
  std::size_t next_buffer_ = 0;
  std::chrono::seconds write_timeout_;
  std::chrono::steady_clock::time_point stalled_since_;
  std::unique_ptr<asio::steady_timer> stall_timer_;  // made at the first stall only
  std::shared_ptr<Handler> handler_;
  std::unique_ptr<asio::steady_timer> close_timer_;
  bool stall_timer_armed_ = false;
  bool overflowed_ = false;    // past max_queued_bytes_: failing
  bool waiting_writable_ = false;
  bool writing_ = false;       // a write is in progress or due
  bool closing_ = false;       // a close frame is queued
  bool close_sent_ = false;    // it has been handed to the socket
  bool peer_closed_ = false;   // the peer sent its close frame
  bool protocol_error_ = false;
  bool closed_ = false;
};

}  // namespace

void open_websocket(EventLoops& loops, std::size_t loop, beast::tcp_stream stream, BeastRequest request,
                    WebSocketLimits limits, ConnectionLimits::Slot slot,
                    std::function<void(std::shared_ptr<WebSocketChannel>)> on_open) {
  // Beast answers the upgrade (validating the request, computing Sec-WebSocket-Accept); the
  // socket is then taken back for our own framing.
  auto upgrade = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(stream));
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(30);
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  upgrade->set_option(timeouts);
  upgrade->set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "parley-sio"); }));
  auto kept = std::make_shared<BeastRequest>(std::move(request));  // alive until the answer is out
  upgrade->async_accept(*kept, [&loops, upgrade, loop, limits, slot = std::make_shared<ConnectionLimits::Slot>(std::move(slot)),
                                on_open = std::move(on_open), kept](beast::error_code ec) {
    if (ec) return;  // the peer went away during the handshake: nothing was opened
    auto& tcp_layer = beast::get_lowest_layer(*upgrade);
    tcp_layer.expires_never();
    auto channel = std::make_shared<RawWebSocketChannel>(loops, loop, tcp_layer.release_socket(), limits, std::move(*slot));
    try {
      on_open(channel);
    } catch (...) {
      channel->handler_failed("on_open");
      channel->close_failed();
      return;
    }
    channel->start();
  });
}

}  // namespace sio::transport::detail
