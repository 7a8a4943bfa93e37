// A WebSocket connection on Boost.Beast, seen by the layers above as a WebSocketChannel:
// a read loop that hands each message to the handler, and a queue of shared messages written
// one at a time.
#include <deque>

#include "transport/beast.hpp"

namespace sio::transport::detail {

namespace {

class BeastWebSocketChannel final : public WebSocketChannel,
                                    public std::enable_shared_from_this<BeastWebSocketChannel> {
 public:
  BeastWebSocketChannel(std::size_t loop, beast::tcp_stream stream)
      : loop_(loop), ws_(std::move(stream)) {}

  void start_accept(BeastRequest request, std::function<void(std::shared_ptr<WebSocketChannel>)> on_open) {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = websocket::stream_base::none();  // Engine.IO's heartbeat decides
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "parley-sio");
    }));
    ws_.auto_fragment(false);
    ws_.async_accept(request, [self = shared_from_this(), on_open = std::move(on_open)](beast::error_code ec) {
      if (ec) return;  // the peer went away during the handshake: nothing was opened
      on_open(self);
      self->read();
    });
  }

  void set_handler(std::shared_ptr<Handler> handler) override { handler_ = std::move(handler); }

  void send(std::shared_ptr<const std::string> data, bool binary) override {
    if (closing_ || closed_) return;
    queue_.push_back({std::move(data), binary});
    if (!writing_) write_next();
  }

  void close() override {
    if (closing_ || closed_) return;
    closing_ = true;
    if (!writing_) write_next();
  }

  void set_max_message_size(std::uint64_t bytes) override { ws_.read_message_max(bytes); }
  std::size_t queued() const override { return queue_.size(); }
  std::size_t loop() const override { return loop_; }

 private:
  struct Outgoing {
    std::shared_ptr<const std::string> data;
    bool binary;
  };

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      finish(ec != websocket::error::closed && ec != asio::error::operation_aborted);
      return;
    }
    auto data = buffer_.cdata();
    std::string_view message(static_cast<const char*>(data.data()), data.size());
    bool binary = !ws_.got_text();
    if (handler_ && !closed_) handler_->on_frame(message, binary);
    buffer_.consume(buffer_.size());
    // A large message leaves a large buffer behind: give it back while the connection idles.
    if (buffer_.capacity() > 64 * 1024) buffer_.shrink_to_fit();
    if (!closed_) read();
  }

  void write_next() {
    if (queue_.empty()) {
      writing_ = false;
      if (closing_ && !closed_) {
        writing_ = true;
        ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {
          self->writing_ = false;
          self->finish(false);
        });
      }
      return;
    }
    writing_ = true;
    Outgoing& next = queue_.front();
    ws_.text(!next.binary);
    ws_.async_write(asio::buffer(*next.data), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->queue_.pop_front();
      if (ec) {
        self->writing_ = false;
        self->queue_.clear();
        self->finish(true);
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
        return;
      }
      self->write_next();
    });
  }

  // Reports the end once and drops the handler (which usually owns this channel).
  void finish(bool error) {
    if (closed_) return;
    closed_ = true;
    queue_.clear();
    if (auto handler = std::move(handler_)) handler->on_closed(error);
  }

  std::size_t loop_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<Outgoing> queue_;
  std::shared_ptr<Handler> handler_;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace

void open_websocket(EventLoops&, std::size_t loop, beast::tcp_stream stream, BeastRequest request,
                    std::uint64_t max_message_bytes,
                    std::function<void(std::shared_ptr<WebSocketChannel>)> on_open) {
  auto channel = std::make_shared<BeastWebSocketChannel>(loop, std::move(stream));
  channel->set_max_message_size(max_message_bytes);
  channel->start_accept(std::move(request), std::move(on_open));
}

}  // namespace sio::transport::detail
