// Private to the transport: the Boost.Beast types the HTTP and WebSocket connections share.
// Included only by the transport's .cpp files (Beast is slow to compile).
#pragma once

#include <chrono>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "sio/transport/event_loops.hpp"
#include "sio/transport/http.hpp"
#include "transport/connection_limits.hpp"

namespace sio::transport::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

using BeastRequest = http::request<http::string_body>;

// What a WebSocket connection may do: frames it may receive, time its writes may stall.
struct WebSocketLimits {
  std::uint64_t max_message_bytes = 0;
  std::chrono::seconds write_timeout{0};  // 0: none
};

// Completes a WebSocket handshake on `stream` for `request` (already read) and hands the
// channel to `on_open` on the same loop. The channel keeps the connection's `slot` until its
// socket closes.
void open_websocket(EventLoops& loops, std::size_t loop, beast::tcp_stream stream,
                    BeastRequest request, WebSocketLimits limits, ConnectionLimits::Slot slot,
                    std::function<void(std::shared_ptr<WebSocketChannel>)> on_open);

}  // namespace sio::transport::detail
