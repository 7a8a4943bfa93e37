// sio-hello: the README's example as a whole program. Every client joins "lobby"; `hello`
// answers its ack, sends `world` back and relays the arguments to the rest of the lobby.
//
//   sio-hello [PORT]     (0: any free port; prints "listening on PORT")
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "sio/socketio/server.hpp"
#include "sio/transport/http_server.hpp"

int main(int argc, char** argv) {
  auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 3000);
  // Stop signals are taken by sigwait below, not by whichever thread they land on.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  sio::transport::EventLoops loops;  // one event loop per core
  sio::Server io(loops);
  io.of("/").on_connection([](sio::Socket& socket) {
    socket.join("lobby");
    socket.on("hello", [](sio::Socket& s, const sio::Args& args, sio::Ack ack) {
      s.emit("world", 42, "text", sio::Binary{"\x01\x02"});   // to this client
      s.to("lobby").emit_payload("news", args.to_payload());  // to the others in the room
      if (ack) ack("got it");                                 // answers the client's ack
    });
  });

  sio::transport::HttpServer http(loops, {.hosts = {"127.0.0.1"}, .port = port});
  http.mount("/socket.io/", io.endpoint());
  http.listen();
  loops.start();
  std::cout << "listening on " << http.port() << std::endl;

  int signal = 0;
  sigwait(&stop, &signal);
  io.close();
  loops.stop();
  loops.join();
  return 0;
}
