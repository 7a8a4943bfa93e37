// Authenticated handshakes over Engine.IO HTTP long-polling (see client.hpp), one after another
// on a keep-alive connection, as a browser's socket.io-client starts before it upgrades.
#include <netinet/in.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <vector>

#include <simdjson.h>

#include "client.hpp"
#include "sio/engineio/packet.hpp"

namespace parley_bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

class PollingHandshakerImpl final : public PollingHandshaker,
                                    public std::enable_shared_from_this<PollingHandshakerImpl> {
 public:
  PollingHandshakerImpl(net::io_context& io, const ClientTarget& target, uint32_t source_v4,
                        PollingCallbacks callbacks)
      : socket_(io), target_(target), source_v4_(source_v4), callbacks_(std::move(callbacks)) {}

  void start() override { next_handshake(); }

  void abort() override {
    stopped_ = true;
    error_code ignored;
    socket_.close(ignored);
  }

 private:
  enum class Step { open, connect, wait_connect, close };

  void next_handshake() {
    if (stopped_) return;
    auth_ = callbacks_.next_auth();
    if (auth_.empty()) return;
    started_ns_ = now_ns();
    sid_.clear();
    polls_ = 0;
    if (!socket_.is_open()) return connect();
    request(Step::open);
  }

  void connect() {
    error_code ec;
    auto address = net::ip::make_address(target_.address, ec);
    if (ec) return failed("bad address");
    tcp::endpoint endpoint(address, target_.port);
    socket_.open(endpoint.protocol(), ec);
    if (!ec && source_v4_ != 0) {
      int one = 1;
      ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      socket_.bind(tcp::endpoint(net::ip::address_v4(source_v4_), 0), ec);
    }
    if (ec) return failed("socket: " + ec.message());
    socket_.set_option(tcp::no_delay(true), ec);
    socket_.async_connect(endpoint, [self = shared_from_this()](error_code ec) {
      if (ec) return self->failed("connect: " + ec.message());
      self->request(Step::open);
    });
  }

  void request(Step step) {
    step_ = step;
    std::string target = target_.path + "?EIO=4&transport=polling";
    if (!sid_.empty()) target += "&sid=" + sid_;
    bool post = step == Step::connect || step == Step::close;
    request_ = {};
    request_.version(11);
    request_.method(post ? http::verb::post : http::verb::get);
    request_.target(target);
    request_.set(http::field::host, target_.host_header);
    request_.set(http::field::user_agent, "parley-bench");
    request_.keep_alive(true);
    if (post) {
      request_.set(http::field::content_type, "text/plain;charset=UTF-8");
      request_.body() = step == Step::connect ? "40" + auth_ : "1";
    }
    request_.prepare_payload();
    http::async_write(socket_, request_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->failed("write: " + ec.message());
      self->response_ = {};
      http::async_read(self->socket_, self->buffer_, self->response_,
                       [self](error_code ec, std::size_t) { self->on_response(ec); });
    });
  }

  void on_response(error_code ec) {
    if (ec) return failed("read: " + ec.message());
    if (response_.result() != http::status::ok) {
      return failed("HTTP " + std::to_string(response_.result_int()) + ": " + response_.body().substr(0, 200));
    }
    const std::string& body = response_.body();
    switch (step_) {
      case Step::open: {
        auto sid = open_sid(body);
        if (sid.empty()) return failed("no open packet: " + body.substr(0, 200));
        sid_ = std::move(sid);
        return request(Step::connect);
      }
      case Step::connect: return request(Step::wait_connect);
      case Step::wait_connect: {
        packets_.clear();
        if (!sio::engineio::decode_payload(body, packets_)) return failed("bad polling payload");
        for (const auto& packet : packets_) {
          if (packet.type != sio::engineio::PacketType::message || packet.data.empty()) continue;
          if (packet.data[0] == '0') {
            latency_ns_ = now_ns() - started_ns_;
            return request(Step::close);
          }
          if (packet.data[0] == '4' || packet.data[0] == '1' || packet.data.starts_with("2[\"error\"")) {
            return failed("refused: " + packet.data.substr(0, 200));
          }
        }
        if (++polls_ > 10) return failed("no CONNECT answer after 10 polls");
        return request(Step::wait_connect);
      }
      case Step::close: {
        bool keep = response_.keep_alive();
        if (!keep) {
          error_code ignored;
          socket_.close(ignored);
        }
        callbacks_.done(true, latency_ns_, {});
        return next_handshake();
      }
    }
  }

  static std::string open_sid(std::string_view body) {
    if (!body.starts_with('0')) return {};
    simdjson::dom::element open;
    std::string_view sid;
    if (parser().parse(body.data() + 1, body.size() - 1).get(open) || open["sid"].get_string().get(sid)) return {};
    return std::string(sid);
  }

  static simdjson::dom::parser& parser() {
    thread_local simdjson::dom::parser instance;
    return instance;
  }

  void failed(std::string error) {
    error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
    if (stopped_) return;
    callbacks_.done(false, now_ns() - started_ns_, error);
    next_handshake();
  }

  tcp::socket socket_;
  const ClientTarget& target_;
  uint32_t source_v4_;
  PollingCallbacks callbacks_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::vector<sio::engineio::Packet> packets_;
  std::string auth_;
  std::string sid_;
  Step step_ = Step::open;
  int64_t started_ns_ = 0;
  int64_t latency_ns_ = 0;
  int polls_ = 0;
  bool stopped_ = false;
};

}  // namespace

std::shared_ptr<PollingHandshaker> make_polling_handshaker(net::io_context& io, const ClientTarget& target,
                                                           uint32_t source_v4, PollingCallbacks callbacks) {
  return std::make_shared<PollingHandshakerImpl>(io, target, source_v4, std::move(callbacks));
}

}  // namespace parley_bench
