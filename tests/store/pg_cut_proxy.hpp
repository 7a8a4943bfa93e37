// A TCP proxy on loopback between PostgreSQL clients and a PostgreSQL server that forwards
// everything and can cut a connection at an exact point of the protocol: just before a given
// prepared statement reaches the server, or just after the server has answered it (so that the
// server has done it and the client never learns). Tests use it to lose a connection between a
// COMMIT and its answer, which no timing of a server stop can hit reliably.
//
// It reads the protocol's message framing (a type byte and a length) and nothing more, so it
// needs connections without TLS: url() turns TLS and GSS encryption off.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace parley::store::test {

class PgCutProxy {
 public:
  // `server_url`: postgres://user@host:port/dbname of the real server (host an IPv4 address).
  explicit PgCutProxy(const std::string& server_url);
  ~PgCutProxy();
  PgCutProxy(const PgCutProxy&) = delete;
  PgCutProxy& operator=(const PgCutProxy&) = delete;

  // The server's URL through the proxy.
  std::string url() const;

  enum class Cut {
    before_server,  // the statement and everything after it never reach the server
    // As before_server, but the server is not told: its side stays open, as in a network
    // partition, so its session lives on (inside the transaction, if one was open).
    before_server_unnoticed,
    after_answer,  // the server runs it and answers up to its sync point; the answer is dropped
  };
  // Cuts, once, the first connection that binds the prepared statement `statement` (runs it):
  // both sides are closed at the point `where`. With
  // `refuse_after`, every connection attempt from then on is closed at once (the database looks
  // down) until accept_connections().
  void arm(std::string statement, Cut where, bool refuse_after = false);
  // Waits until the armed cut has happened.
  bool wait_for_cut(std::chrono::milliseconds limit);
  void accept_connections();

 private:
  struct State;
  void run();

  std::unique_ptr<State> state_;
  std::thread thread_;
};

}  // namespace parley::store::test
