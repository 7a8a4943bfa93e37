// One thread polls the listening socket, a wake-up pipe and both sockets of every connection;
// sockets are non-blocking and each direction keeps what its peer has not taken yet.
#include "pg_cut_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdint>
#include <list>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace parley::store::test {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("PgCutProxy: " + what + ": " + std::strerror(errno)); }

void set_nonblocking(int fd) {
  if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) fail("fcntl");
}

std::uint32_t big_endian32(const char* bytes) {
  auto b = reinterpret_cast<const unsigned char*>(bytes);
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

// Splits complete protocol messages off the front of `buffer`. The client's first messages
// (the startup packet, or an SSL or cancel request) have no type byte.
class Framer {
 public:
  explicit Framer(bool starts_untyped) : untyped_(starts_untyped) {}

  // The next complete message (type byte included), or "" until more bytes arrive.
  std::string next(std::string& buffer) {
    std::size_t header = untyped_ ? 4 : 5;
    if (buffer.size() < header) return {};
    std::size_t length = big_endian32(buffer.data() + header - 4) + (untyped_ ? 0 : 1);
    if (buffer.size() < length) return {};
    std::string message = buffer.substr(0, length);
    buffer.erase(0, length);
    // Protocol 3.0's startup packet ends the untyped part; SSL/GSS/cancel requests do not.
    if (untyped_ && message.size() >= 8 && big_endian32(message.data() + 4) == 196608) untyped_ = false;
    return message;
  }

 private:
  bool untyped_;
};

// The statement a Bind message names: after the type, the length and the portal's name.
std::string_view bound_statement(std::string_view bind) {
  std::string_view rest = bind.substr(5);
  auto portal_end = rest.find('\0');
  if (portal_end == std::string_view::npos) return {};
  rest.remove_prefix(portal_end + 1);
  return rest.substr(0, rest.find('\0'));
}

struct Side {
  int fd = -1;
  std::string unparsed;  // read, not yet a complete message
  std::string outgoing;  // for this side, not yet written
};

struct ProxiedConnection {
  Side client;
  Side server;
  Framer from_client{true};
  Framer from_server{false};
  bool dropping_answers = false;  // after_answer: the armed statement has gone to the server
};

}  // namespace

struct PgCutProxy::State {
  std::string server_host;
  int server_port = 0;
  std::string rest_of_url;  // "user@" before the host and "/dbname" after the port
  std::string user;
  int listener = -1;
  int port = 0;
  int wake[2] = {-1, -1};

  std::mutex mutex;
  std::condition_variable cut_done;
  bool stopping = false;
  std::string armed;  // the statement to cut at; empty: none
  Cut where = Cut::before_server;
  bool refuse_after = false;
  bool refusing = false;
  int cuts = 0;
  int cuts_waited = 0;

  std::list<ProxiedConnection> connections;  // proxy thread only
  std::vector<int> unnoticed;  // server sides left open by before_server_unnoticed cuts
};

PgCutProxy::PgCutProxy(const std::string& server_url) : state_(std::make_unique<State>()) {
  // postgres://user@host:port/dbname
  auto scheme = server_url.find("://");
  auto at = server_url.find('@', scheme);
  auto colon = server_url.find(':', at);
  auto slash = server_url.find('/', colon);
  if (scheme == std::string::npos || at == std::string::npos || colon == std::string::npos || slash == std::string::npos) {
    throw std::runtime_error("PgCutProxy: cannot read the URL " + server_url);
  }
  state_->user = server_url.substr(scheme + 3, at - scheme - 3);
  state_->server_host = server_url.substr(at + 1, colon - at - 1);
  state_->server_port = std::stoi(server_url.substr(colon + 1, slash - colon - 1));
  state_->rest_of_url = server_url.substr(slash);

  state_->listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (state_->listener < 0) fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(state_->listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
  if (::listen(state_->listener, 64) != 0) fail("listen");
  socklen_t length = sizeof address;
  if (::getsockname(state_->listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) fail("getsockname");
  state_->port = ntohs(address.sin_port);
  set_nonblocking(state_->listener);
  if (::pipe2(state_->wake, O_CLOEXEC | O_NONBLOCK) != 0) fail("pipe");
  thread_ = std::thread([this] { run(); });
}

PgCutProxy::~PgCutProxy() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  [[maybe_unused]] auto written = ::write(state_->wake[1], "x", 1);
  thread_.join();
  for (auto& c : state_->connections) {
    ::close(c.client.fd);
    ::close(c.server.fd);
  }
  for (int fd : state_->unnoticed) ::close(fd);
  ::close(state_->listener);
  ::close(state_->wake[0]);
  ::close(state_->wake[1]);
}

std::string PgCutProxy::url() const {
  std::string url = "postgres://" + state_->user + "@127.0.0.1:" + std::to_string(state_->port) + state_->rest_of_url;
  url += url.find('?') == std::string::npos ? "?" : "&";
  return url + "sslmode=disable&gssencmode=disable";
}

void PgCutProxy::arm(std::string statement, Cut where, bool refuse_after) {
  std::lock_guard lock(state_->mutex);
  state_->armed = std::move(statement);
  state_->where = where;
  state_->refuse_after = refuse_after;
}

bool PgCutProxy::wait_for_cut(std::chrono::milliseconds limit) {
  std::unique_lock lock(state_->mutex);
  bool cut = state_->cut_done.wait_for(lock, limit, [&] { return state_->cuts > state_->cuts_waited; });
  if (cut) ++state_->cuts_waited;
  return cut;
}

void PgCutProxy::accept_connections() {
  std::lock_guard lock(state_->mutex);
  state_->refusing = false;
}

void PgCutProxy::run() {
  State& s = *state_;
  // Closes the sides of `c` (the client's only, when `tell_server` is false) and reports the cut.
  auto cut = [&](std::list<ProxiedConnection>::iterator c, bool tell_server = true) {
    ::close(c->client.fd);
    if (tell_server) {
      ::close(c->server.fd);
    } else {
      s.unnoticed.push_back(c->server.fd);
    }
    s.connections.erase(c);
    std::lock_guard lock(s.mutex);
    s.armed.clear();
    s.refusing = s.refuse_after;
    ++s.cuts;
    s.cut_done.notify_all();
  };
  auto accept_one = [&] {
    int client = ::accept4(s.listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) return;
    {
      std::lock_guard lock(s.mutex);
      if (s.refusing) {
        ::close(client);
        return;
      }
    }
    int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(s.server_port));
    ::inet_pton(AF_INET, s.server_host.c_str(), &address.sin_addr);
    if (server < 0 || ::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      if (server >= 0) ::close(server);
      ::close(client);
      return;
    }
    set_nonblocking(server);
    auto& c = s.connections.emplace_back();
    c.client.fd = client;
    c.server.fd = server;
  };
  // Reads what `from` has; false when it closed (or failed).
  auto read_side = [](Side& from) {
    char buffer[65536];
    for (;;) {
      auto n = ::read(from.fd, buffer, sizeof buffer);
      if (n > 0) {
        from.unparsed.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
  };
  auto write_side = [](Side& to) {
    while (!to.outgoing.empty()) {
      auto n = ::write(to.fd, to.outgoing.data(), to.outgoing.size());
      if (n > 0) {
        to.outgoing.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return true;
  };
  // Moves the client's complete messages to the server's side, acting on the armed statement.
  // Returns false when the connection was cut.
  auto from_client = [&](std::list<ProxiedConnection>::iterator c) {
    for (std::string message; !(message = c->from_client.next(c->client.unparsed)).empty();) {
      if (message[0] == 'B' && !c->dropping_answers) {
        std::unique_lock lock(s.mutex);
        if (!s.armed.empty() && bound_statement(message) == s.armed) {
          if (s.where != Cut::after_answer) {
            bool tell_server = s.where == Cut::before_server;
            lock.unlock();
            write_side(c->server);  // what came before it still reaches the server (best effort)
            cut(c, tell_server);
            return false;
          }
          c->dropping_answers = true;
        }
      }
      c->server.outgoing += message;
    }
    return true;
  };
  // Moves the server's complete messages to the client's side; once answers are dropped, waits for
  // the sync point's ReadyForQuery and cuts. Returns false when the connection was cut.
  auto from_server = [&](std::list<ProxiedConnection>::iterator c) {
    for (std::string message; !(message = c->from_server.next(c->server.unparsed)).empty();) {
      if (!c->dropping_answers) {
        c->client.outgoing += message;
      } else if (message[0] == 'Z') {
        cut(c);
        return false;
      }
    }
    return true;
  };

  std::vector<pollfd> fds;
  for (;;) {
    {
      std::lock_guard lock(s.mutex);
      if (s.stopping) return;
    }
    fds.clear();
    fds.push_back({s.wake[0], POLLIN, 0});
    fds.push_back({s.listener, POLLIN, 0});
    for (auto& c : s.connections) {
      fds.push_back({c.client.fd, static_cast<short>(POLLIN | (c.client.outgoing.empty() ? 0 : POLLOUT)), 0});
      fds.push_back({c.server.fd, static_cast<short>(POLLIN | (c.server.outgoing.empty() ? 0 : POLLOUT)), 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) fail("poll");
    if (fds[0].revents) {
      char drained[16];
      while (::read(s.wake[0], drained, sizeof drained) > 0) {
      }
    }
    std::size_t i = 2;
    for (auto c = s.connections.begin(); c != s.connections.end(); i += 2) {
      auto current = c++;
      short client_events = fds[i].revents, server_events = fds[i + 1].revents;
      bool open = true;
      if (client_events & (POLLIN | POLLHUP | POLLERR)) open = read_side(current->client);
      if (!from_client(current)) continue;
      if (open && (server_events & (POLLIN | POLLHUP | POLLERR))) open = read_side(current->server);
      if (!from_server(current)) continue;
      open = open && write_side(current->client) && write_side(current->server);
      if (!open) {  // one side went away: so does the other, as a direct connection would
        write_side(current->client);
        write_side(current->server);
        ::close(current->client.fd);
        ::close(current->server.fd);
        s.connections.erase(current);
      }
    }
    if (fds[1].revents & POLLIN) accept_one();
  }
}

}  // namespace parley::store::test
