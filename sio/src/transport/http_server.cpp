// The listeners (one acceptor per loop and address, sharing the port through SO_REUSEPORT) and
// the HTTP/1.1 connection: read a request, route it by path, answer, repeat.
#include "sio/transport/http_server.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sio/transport/trusted_proxies.hpp"
#include "transport/beast.hpp"
#include "transport/connection_limits.hpp"
#include "util/exception_text.hpp"
#include "util/invariants.hpp"

namespace sio::transport {

using namespace detail;

// One acceptor of one loop, and how long it waits before accepting again after running out of
// descriptors or memory.
struct Listener {
  Listener(std::size_t l, asio::io_context& context) : loop(l), acceptor(context), retry(context) {}
  std::size_t loop;
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  std::chrono::milliseconds backoff{0};
};

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  EventLoops& loops;
  HttpServerOptions options;
  std::vector<std::pair<std::string, std::shared_ptr<HttpEndpoint>>> routes;  // longest first
  std::shared_ptr<HttpEndpoint> fallback;
  std::vector<std::shared_ptr<Listener>> listeners;
  std::uint16_t bound_port = 0;
  TrustedProxies proxies;
  std::unique_ptr<ConnectionLimits> limits;  // made by listen()

  Impl(EventLoops& l, HttpServerOptions o) : loops(l), options(std::move(o)) {}

  HttpEndpoint* route(std::string_view path) const {
    for (const auto& [prefix, endpoint] : routes) {
      if (path.substr(0, prefix.size()) == prefix) return endpoint.get();
    }
    return fallback.get();
  }

  void accept(std::shared_ptr<Listener> listener);
};

namespace {

// What a kept-alive connection reads when its next request begins (a polling request's head
// fits; the parser reads the rest).
constexpr std::size_t first_read_bytes = 2048;

// A lingering close reads and drops at most this much, for at most this long.
constexpr std::size_t max_linger_bytes = 4 * 1024 * 1024;
constexpr std::chrono::seconds linger_time{2};

// Where lingering connections drop what they read: one buffer per loop thread, whose contents
// nobody looks at.
std::array<char, 64 * 1024>& discard_buffer() {
  thread_local std::array<char, 64 * 1024> buffer;
  return buffer;
}

class NotFound final : public HttpEndpoint {
 public:
  void on_request(HttpRequest&&, Responder respond) override {
    respond(HttpResponse::text(404, "Not Found"));
  }
};

HttpRequest to_request(const BeastRequest& req, const tcp::socket& socket, const TrustedProxies& proxies) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.headers.reserve(16);
  for (const auto& field : req) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = req.body();
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (!ec) out.peer_address = endpoint.address().to_string();
  out.remote_address = proxies.client_address(out.peer_address, out.header("x-forwarded-for"));
  out.websocket_upgrade = websocket::is_upgrade(req);
  out.keep_alive = req.keep_alive();
  return out;
}

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(std::shared_ptr<HttpServer::Impl> server, std::size_t loop, tcp::socket socket,
                 ConnectionLimits::Slot slot)
      : server_(std::move(server)), loop_(loop), stream_(std::move(socket)), slot_(std::move(slot)) {}

  // A new connection: its first request is due at once.
  void start() {
    prepare_parser();
    read_header();
  }

  // Continues on this (new) loop with a request read on another one.
  void resume(BeastRequest request, HttpRequest converted, std::string leftover) {
    auto bytes = buffer_.prepare(leftover.size());
    asio::buffer_copy(bytes, asio::buffer(leftover));
    buffer_.commit(leftover.size());
    request_ = std::move(request);
    handle(std::move(converted));
  }

 private:
  const HttpServerOptions& options() const { return server_->options; }

  void prepare_parser() {
    parser_.emplace();
    parser_->body_limit(options().max_body_bytes);
    parser_->header_limit(options().max_header_bytes);
  }

  // The next request on a kept-alive connection: idle until its first bytes come (unless they
  // are here already), then its head and body, each against its own clock.
  void read_next() {
    prepare_parser();
    if (buffer_.size() > 0) {
      read_header();
      return;
    }
    stream_.expires_after(std::chrono::seconds(options().idle_timeout_seconds));
    stream_.async_read_some(buffer_.prepare(first_read_bytes), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) {
        self->shutdown();  // idle too long, or gone
        return;
      }
      self->buffer_.commit(n);
      self->read_header();
    });
  }

  void read_header() {
    stream_.expires_after(std::chrono::seconds(options().header_timeout_seconds));
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || self->parser_->is_done()) {
        self->on_read(ec);
        return;
      }
      self->read_body();
    });
  }

  void read_body() {
    stream_.expires_after(std::chrono::seconds(options().body_timeout_seconds));
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    bool too_large = ec == http::error::body_limit;
    if (ec && !too_large) {
      if (ec == http::error::header_limit || ec == http::error::bad_method || ec == http::error::bad_target ||
          ec == http::error::bad_version || ec == http::error::bad_field || ec == http::error::bad_value) {
        unread_input_ = true;
        write(HttpResponse::text(400, "Bad Request"), true);
      } else {
        shutdown();  // end of stream, timeout, reset: nobody to answer
      }
      return;
    }
    request_ = parser_->release();
    parser_.reset();
    HttpRequest request = to_request(request_, stream_.socket(), server_->proxies);
    if (too_large) {
      // The headers were read but not the body: the endpoint answers (Engine.IO with 413,
      // closing the session) and the connection closes.
      request.body_too_large = true;
      request.keep_alive = false;
    }
    HttpEndpoint* endpoint = server_->route(request.path());
    auto target = endpoint->loop_for(request);
    if (target && *target != loop_ && *target < server_->loops.size()) {
      move_to(*target, std::move(request));
      return;
    }
    handle(std::move(request));
  }

  // Hands the connection to another loop: the socket's descriptor is released here and
  // adopted there, so everything of one session runs on one thread.
  void move_to(std::size_t target, HttpRequest request) {
    stream_.expires_never();
    beast::error_code ec;
    auto protocol = stream_.socket().local_endpoint(ec).protocol();
    auto fd = stream_.socket().release(ec);
    if (ec) return;
    auto data = buffer_.cdata();
    std::string leftover(static_cast<const char*>(data.data()), data.size());
    auto& loops = server_->loops;
    loops.post(target, [server = server_, target, protocol, fd, leftover = std::move(leftover),
                        beast_request = std::move(request_), request = std::move(request),
                        slot = std::make_shared<ConnectionLimits::Slot>(std::move(slot_))]() mutable {
      tcp::socket socket(server->loops.context(target));
      beast::error_code ec;
      socket.assign(protocol, fd, ec);
      if (ec) {
        ::close(fd);
        return;
      }
      auto connection = std::make_shared<HttpConnection>(server, target, std::move(socket), std::move(*slot));
      connection->resume(std::move(beast_request), std::move(request), std::move(leftover));
    });
  }

  void handle(HttpRequest request) {
    SIO_ASSERT_ON_LOOP(loop_);
    HttpEndpoint* endpoint = server_->route(request.path());
    keep_alive_ = request.keep_alive;
    unread_input_ = request.body_too_large;
    head_ = request.method == "HEAD";
    answered_ = false;
    std::uint64_t number = ++requests_;
    try {
      if (request.websocket_upgrade) {
        upgrade(endpoint, std::move(request), number);
      } else {
        auto self = shared_from_this();
        endpoint->on_request(std::move(request), [self, number](HttpResponse response) {
          self->server_->loops.dispatch(self->loop_, [self, number, response = std::move(response)]() mutable {
            if (!self->take_answer(number)) return;
            bool close = response.close_connection;
            self->write(std::move(response), close);
          });
        });
      }
    } catch (...) {
      // The path without the query, which may hold secrets.
      std::string_view target = request_.target();
      std::string path(target.substr(0, target.find('?')));
      server_->loops.report_error("HTTP endpoint failed on " + path + ": " + util::current_exception_text());
      // Only this connection pays: 500 and close, unless it was answered (or upgraded) already.
      if (take_answer(number)) write(HttpResponse::text(500, "Internal Server Error"), true);
    }
  }

  // True once for request `number`: the answer it may write (a late one, after an endpoint
  // failed and the connection answered 500 itself, is dropped).
  bool take_answer(std::uint64_t number) {
    if (number != requests_ || answered_) return false;
    answered_ = true;
    return true;
  }

  void upgrade(HttpEndpoint* endpoint, HttpRequest request, std::uint64_t number) {
    auto self = shared_from_this();
    WebSocketUpgrade upgrade;
    upgrade.accept = [self, number](std::function<void(std::shared_ptr<WebSocketChannel>)> on_open) {
      self->server_->loops.dispatch(self->loop_, [self, number, on_open = std::move(on_open)]() mutable {
        if (self->take_answer(number)) stream_ws(self, std::move(on_open));
      });
    };
    upgrade.refuse = [self, number](HttpResponse response) {
      self->server_->loops.dispatch(self->loop_, [self, number, response = std::move(response)]() mutable {
        if (self->take_answer(number)) self->write(std::move(response), true);
      });
    };
    endpoint->on_websocket(std::move(request), std::move(upgrade));
  }

  static void stream_ws(const std::shared_ptr<HttpConnection>& self,
                        std::function<void(std::shared_ptr<WebSocketChannel>)> on_open) {
    const auto& options = self->options();
    WebSocketLimits limits{options.max_body_bytes, std::chrono::seconds(options.write_timeout_seconds)};
    open_websocket(self->server_->loops, self->loop_, std::move(self->stream_), std::move(self->request_), limits,
                   std::move(self->slot_), std::move(on_open));
  }

  void write(HttpResponse response, bool close) {
    SIO_ASSERT_ON_LOOP(loop_);
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(response.status);
    res->set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) res->insert(name, value);
    res->keep_alive(keep_alive_ && !close);
    if (head_) {
      // HEAD: the length the GET would have, and no body (endpoints answer HEAD like GET).
      res->content_length(response.body.size());
    } else {
      res->body() = std::move(response.body);
      res->prepare_payload();
    }
    stream_.expires_after(std::chrono::seconds(options().write_timeout_seconds));
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) {
        self->shutdown();
      } else if (!res->keep_alive()) {
        self->unread_input_ ? self->linger() : self->shutdown();
      } else {
        self->read_next();
      }
    });
  }

  // The client may still be sending what we did not read (a body over the limit). Closing
  // with unread bytes makes the kernel reset the connection, and the reset can destroy our
  // answer before the client has read it (it sees EPIPE or ECONNRESET, not the 413). So:
  // end our side, read and drop what still comes for a while, then close.
  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    buffer_.consume(buffer_.size());
    stream_.expires_after(linger_time);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(discard_buffer()), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->lingered_bytes_ += n;
      if (ec || self->lingered_bytes_ >= max_linger_bytes) {
        self->stream_.close();  // the client's end (EOF), or the bound
        return;
      }
      self->drain();
    });
  }

  void shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  std::shared_ptr<HttpServer::Impl> server_;
  std::size_t loop_;
  beast::tcp_stream stream_;
  ConnectionLimits::Slot slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  BeastRequest request_;
  bool keep_alive_ = true;
  bool head_ = false;
  bool unread_input_ = false;   // the request was not read to its end: linger before closing
  std::size_t lingered_bytes_ = 0;
  bool answered_ = false;       // the current request has its answer (or its upgrade)
  std::uint64_t requests_ = 0;  // requests handled on this connection; the current one's number
};

}  // namespace

namespace {

// Failures that last as long as the process is short of descriptors or kernel memory. The
// pending connection stays queued, so accepting again at once fails again at once: the loop
// would spin and starve the connections it serves.
bool out_of_resources(const beast::error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  return ec.value() == EMFILE || ec.value() == ENFILE || ec.value() == ENOBUFS || ec.value() == ENOMEM;
}

constexpr std::chrono::milliseconds first_accept_backoff{50};
constexpr std::chrono::milliseconds last_accept_backoff{1000};

}  // namespace

void HttpServer::Impl::accept(std::shared_ptr<Listener> listener) {
  std::size_t loop = listener->loop;
  listener->acceptor.async_accept(loops.context(loop), [self = shared_from_this(), listener](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !listener->acceptor.is_open()) return;
    if (out_of_resources(ec)) {
      // Wait (50 ms, doubling up to 1 s) while the connections already open go on.
      auto previous = listener->backoff;
      listener->backoff = std::clamp(2 * listener->backoff, first_accept_backoff, last_accept_backoff);
      if (listener->backoff == last_accept_backoff && previous != last_accept_backoff) {
        // Once per episode that lasts (about 2 s): the operator should raise the limit.
        self->loops.report_error("cannot accept connections (" + ec.message() + "): retrying every second");
      }
      listener->retry.expires_after(listener->backoff);
      listener->retry.async_wait([self, listener](beast::error_code ec) {
        if (!ec && listener->acceptor.is_open()) self->accept(listener);
      });
      return;
    }
    if (!ec) {
      listener->backoff = std::chrono::milliseconds(0);
      auto peer = socket.remote_endpoint(ec);
      // Over its address's cap (or gone already): closed at once, costing nothing more.
      if (auto slot = ec ? std::nullopt : self->limits->acquire(peer.address())) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<HttpConnection>(self, listener->loop, std::move(socket), std::move(*slot))->start();
      }
    }
    // Any other failure concerns that one connection (reset before it was accepted): go on.
    self->accept(listener);
  });
}

HttpServer::HttpServer(EventLoops& loops, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(loops, std::move(options))) {
  impl_->fallback = std::make_shared<NotFound>();
}

HttpServer::~HttpServer() { stop_accepting(); }

void HttpServer::mount(std::string prefix, std::shared_ptr<HttpEndpoint> endpoint) {
  impl_->routes.emplace_back(std::move(prefix), std::move(endpoint));
  std::stable_sort(impl_->routes.begin(), impl_->routes.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void HttpServer::set_fallback(std::shared_ptr<HttpEndpoint> endpoint) { impl_->fallback = std::move(endpoint); }

void HttpServer::listen() {
  std::string error;
  auto proxies = TrustedProxies::parse(impl_->options.trusted_proxies, error);
  if (!proxies) throw std::invalid_argument("trusted proxies: " + error);
  impl_->proxies = std::move(*proxies);
  impl_->limits = std::make_unique<ConnectionLimits>(impl_->options.max_connections_per_address,
                                                     impl_->options.limit_loopback, impl_->proxies);
  using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
  std::uint16_t port = impl_->options.port;
  for (const auto& host : impl_->options.hosts) {
    auto address = asio::ip::make_address(host);
    for (std::size_t loop = 0; loop < impl_->loops.size(); ++loop) {
      auto listener = std::make_shared<Listener>(loop, impl_->loops.context(loop));
      auto& acceptor = listener->acceptor;
      tcp::endpoint endpoint(address, port);
      acceptor.open(endpoint.protocol());
      acceptor.set_option(tcp::acceptor::reuse_address(true));
      acceptor.set_option(reuse_port(true));
      if (address.is_v6()) acceptor.set_option(asio::ip::v6_only(true));
      acceptor.bind(endpoint);
      acceptor.listen(asio::socket_base::max_listen_connections);
      port = acceptor.local_endpoint().port();
      impl_->listeners.push_back(std::move(listener));
    }
  }
  impl_->bound_port = port;
  for (auto& listener : impl_->listeners) {
    impl_->loops.post(listener->loop, [impl = impl_, listener = listener] { impl->accept(listener); });
  }
}

std::uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::stop_accepting() {
  for (auto& listener : impl_->listeners) {
    impl_->loops.post(listener->loop, [listener = listener] {
      beast::error_code ec;
      listener->acceptor.close(ec);
      listener->retry.cancel();
    });
  }
  impl_->listeners.clear();
}

}  // namespace sio::transport
