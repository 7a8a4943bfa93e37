// The application the official Socket.IO and Engine.IO protocol test suites talk to
// (docs: shared/conformance-fixture.md): a Socket.IO server at /socket.io/ and a bare
// Engine.IO echo server at /engine.io/, on one port.
//
//   conformance-fixture [--port N]      (default 3000)
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sio/engineio/server.hpp"
#include "sio/socketio/server.hpp"
#include "sio/transport/http_server.hpp"

namespace {

sio::engineio::ServerOptions engine_options(std::string path) {
  sio::engineio::ServerOptions options;
  options.path = std::move(path);
  options.ping_interval = std::chrono::milliseconds(300);
  options.ping_timeout = std::chrono::milliseconds(200);
  options.max_payload = 1'000'000;
  return options;
}

// The suites' WebSocket client (ws 8.5) loses a message that arrives in the same read as the
// one it is waiting for, so the `auth` event must not reach it together with the CONNECT
// reply. Node's server happens to send them a loop turn apart; we wait a few milliseconds.
void serve_socketio(sio::Server& io, sio::transport::EventLoops& loops) {
  auto send_auth = [&loops](sio::Socket& socket) {
    auto timer = std::make_shared<boost::asio::steady_timer>(loops.context(socket.loop()), std::chrono::milliseconds(5));
    timer->async_wait([timer, ref = socket.ref()](const boost::system::error_code&) {
      ref.post([](sio::Socket& s) { s.emit("auth", sio::RawJson{s.handshake().auth}); });
    });
  };
  io.of("/").on_connection([send_auth](sio::Socket& socket) {
    send_auth(socket);
    socket.on("message", [](sio::Socket& s, const sio::Args& args, sio::Ack) {
      s.emit_payload("message-back", args.to_payload());
    });
    socket.on("message-with-ack", [](sio::Socket&, const sio::Args& args, sio::Ack ack) {
      if (ack) ack.send(args.to_payload());
    });
  });
  io.of("/custom").on_connection(send_auth);
}

void serve_engineio_echo(sio::engineio::Server& engine) {
  engine.on_connection([](const std::shared_ptr<sio::engineio::Session>& session) {
    std::weak_ptr<sio::engineio::Session> weak = session;
    session->on_message = [weak](const sio::engineio::PacketView& message) {
      auto s = weak.lock();
      if (!s) return;
      if (message.binary) {
        s->send_binary(std::string(message.data));
      } else {
        s->send_text(message.data);
      }
    };
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::uint16_t port = 3000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = static_cast<std::uint16_t>(std::atoi(argv[++i]));
    } else {
      std::cerr << "usage: conformance-fixture [--port N]\n";
      return 2;
    }
  }

  // The signals that stop us are waited for by the main thread alone.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  sio::transport::EventLoops loops;

  sio::ServerOptions io_options;
  io_options.engine = engine_options("/socket.io/");
  io_options.connect_timeout = std::chrono::milliseconds(1000);
  sio::Server io(loops, io_options);
  serve_socketio(io, loops);

  auto echo = std::make_shared<sio::engineio::Server>(loops, engine_options("/engine.io/"));
  serve_engineio_echo(*echo);

  sio::transport::HttpServerOptions http_options;
  http_options.port = port;
  http_options.hosts = {"127.0.0.1", "::1"};
  sio::transport::HttpServer http(loops, http_options);
  http.mount("/socket.io/", io.endpoint());
  http.mount("/engine.io/", echo);
  try {
    http.listen();
  } catch (const std::exception& e) {
    std::cerr << "conformance-fixture: cannot listen on port " << port << ": " << e.what() << "\n";
    return 1;
  }
  loops.start();
  std::cout << "conformance-fixture listening on http://127.0.0.1:" << http.port() << std::endl;

  int signal = 0;
  sigwait(&stop_signals, &signal);
  http.stop_accepting();
  loops.stop();
  loops.join();
  return 0;
}
