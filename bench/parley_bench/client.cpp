// The WebSocket client connection (see client.hpp). Callback style, one strand-free io_context
// per thread: every handler of a connection runs on its owner's thread.
#include "client.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <deque>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "sio/engineio/packet.hpp"
#include "sio/socketio/packet.hpp"

namespace parley_bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
// Sockets bound to the io_context's own executor type rather than the type-erased
// any_io_executor of tcp::socket: every completion skips the executor's indirect calls.
using Socket = net::basic_stream_socket<tcp, net::io_context::executor_type>;
using boost::system::error_code;

int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

// Binds `socket` to `source_v4` without reserving a port at bind time, so that the kernel picks
// the port at connect() against the full 4-tuple: 64k connections per source address.
void bind_source(Socket& socket, uint32_t source_v4, error_code& ec) {
  if (source_v4 == 0) return;
  int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  socket.bind(tcp::endpoint(net::ip::address_v4(source_v4), 0), ec);
}

class WebSocketConnection final : public Connection, public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(net::io_context& io, const ClientTarget& target, uint32_t source_v4, std::string auth_json,
                      ConnectionEvents& events, sio::socketio::PacketDecoder& decoder)
      : ws_(io.get_executor()), target_(target), source_v4_(source_v4), auth_(std::move(auth_json)), events_(events),
        decoder_(decoder) {}

  void start() override {
    error_code ec;
    auto address = net::ip::make_address(target_.address, ec);
    if (ec) return finish("bad address " + target_.address);
    tcp::endpoint endpoint(address, target_.port);
    auto& socket = ws_.next_layer();
    socket.open(endpoint.protocol(), ec);
    if (!ec) bind_source(socket, source_v4_, ec);
    if (ec) return finish("socket: " + ec.message());
    socket.set_option(tcp::no_delay(true), ec);
    socket.async_connect(endpoint, [self = shared_from_this()](error_code ec) { self->on_connect(ec); });
  }

  uint64_t emit_with_ack(std::string_view event_array_json) override {
    uint64_t id = next_ack_id_++;
    std::string frame = "4";
    sio::socketio::encode({sio::socketio::PacketType::event, "/", id, 0, event_array_json}, frame);
    write(std::move(frame));
    return id;
  }

  void close() override {
    if (finished_ || closing_) return;
    closing_ = true;
    if (!ws_open_) return abort_socket();
    if (!writing_) start_close();  // else after the queued writes
  }

  void abort() override {
    closing_ = true;
    abort_socket();
  }

  void reset() override {
    closing_ = true;
    linger hard{1, 0};
    ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    abort_socket();
  }

  std::size_t queued_frames() const override { return queue_.size(); }

 private:
  void on_connect(error_code ec) {
    if (ec) return finish(closing_ ? std::string() : "connect: " + ec.message());
    ws_.auto_fragment(false);
    ws_.secure_prng(false);  // masks need not be unpredictable on loopback
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "parley-bench");
    }));
    ws_.async_handshake(target_.host_header, target_.path + "?EIO=4&transport=websocket",
                        [self = shared_from_this()](error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(error_code ec) {
    if (ec) return finish(closing_ ? std::string() : "websocket handshake: " + ec.message());
    ws_open_ = true;
    if (closing_) return start_close();
    read();
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec) {
      bool expected = closing_ || ec == websocket::error::closed;
      return finish(expected && closing_ ? std::string() : "read: " + ec.message());
    }
    if (ws_.got_text()) {
      auto data = buffer_.data();
      handle_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    buffer_.consume(buffer_.size());
    if (finished_) return;
    read();
  }

  void handle_frame(std::string_view frame) {
    using sio::engineio::PacketType;
    auto packet = sio::engineio::decode_text_frame(frame);
    if (!packet) return fail("bad Engine.IO packet");
    switch (packet->type) {
      case PacketType::open: {
        std::string connect = "4";
        sio::socketio::encode({sio::socketio::PacketType::connect, "/", std::nullopt, 0, auth_}, connect);
        write(std::move(connect));
        break;
      }
      case PacketType::ping: write("3"); break;
      case PacketType::message: handle_message(packet->data); break;
      case PacketType::close: fail("closed by the server (Engine.IO close)"); break;
      default: break;
    }
  }

  void handle_message(std::string_view text) {
    using sio::socketio::PacketType;
    sio::socketio::PacketView packet;
    if (auto error = decoder_.decode(text, packet); error != sio::socketio::DecodeError::none) {
      return fail(std::string("bad Socket.IO packet: ") + sio::socketio::to_string(error));
    }
    if (packet.nsp != "/") return;
    std::string_view first = packet.args.empty() ? std::string_view() : packet.args[0];
    switch (packet.type) {
      case PacketType::connect:
        if (!connected_) {
          connected_ = true;
          events_.on_connected(*this);
        }
        break;
      case PacketType::connect_error: fail("CONNECT refused: " + std::string(packet.payload)); break;
      case PacketType::event: events_.on_event(*this, packet.event, first); break;
      case PacketType::ack:
        if (packet.id) events_.on_ack(*this, *packet.id, first);
        break;
      case PacketType::disconnect: fail("disconnected by the server"); break;
      default: break;
    }
  }

  void write(std::string frame) {
    if (finished_ || !ws_open_) return;
    queue_.push_back(std::move(frame));
    if (!writing_) write_front();
  }

  void write_front() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()),
                    [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    writing_ = false;
    if (ec) return finish(closing_ ? std::string() : "write: " + ec.message());
    queue_.pop_front();
    if (!queue_.empty() && !finished_) return write_front();
    if (closing_ && !finished_) start_close();
  }

  void start_close() {
    if (close_started_) return;
    close_started_ = true;
    queue_.clear();
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](error_code) {
      // The pending read ends with `closed`; make sure the socket goes even if none is pending.
      self->abort_socket();
      self->finish({});
    });
  }

  void fail(std::string error) {
    if (finished_) return;
    if (!closing_ && !error.empty()) error_ = std::move(error);
    closing_ = true;
    abort_socket();
  }

  void abort_socket() {
    error_code ignored;
    ws_.next_layer().close(ignored);
  }

  // Reports the end once; the error of the first failure wins.
  void finish(std::string error) {
    if (finished_) return;
    finished_ = true;
    queue_.clear();
    abort_socket();
    events_.on_closed(*this, error_.empty() ? error : error_);
  }

  websocket::stream<Socket> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  const ClientTarget& target_;
  uint32_t source_v4_;
  std::string auth_;
  ConnectionEvents& events_;
  sio::socketio::PacketDecoder& decoder_;
  std::string error_;
  uint64_t next_ack_id_ = 0;
  bool ws_open_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool close_started_ = false;
  bool finished_ = false;
};

}  // namespace

std::shared_ptr<Connection> make_websocket_connection(net::io_context& io, const ClientTarget& target,
                                                      uint32_t source_v4, std::string auth_json,
                                                      ConnectionEvents& events,
                                                      sio::socketio::PacketDecoder& decoder) {
  return std::make_shared<WebSocketConnection>(io, target, source_v4, std::move(auth_json), events, decoder);
}

}  // namespace parley_bench
