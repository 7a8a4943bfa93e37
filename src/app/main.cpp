// parley: the chat server. Wires configuration, storage, the Socket.IO server, the chat
// gateway and the HTTP API together, and shuts down gracefully on SIGINT/SIGTERM.
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/rest_api.hpp"
#include "api/static_files.hpp"
#include "app/secret.hpp"
#include "auth/jwt.hpp"
#include "auth/password.hpp"
#include "chat/directory.hpp"
#include "chat/gateway.hpp"
#include "config/config.hpp"
#include "sio/socketio/server.hpp"
#include "sio/transport/http_server.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"

namespace {

using parley::config::Config;

// The writer's callbacks (acks, deliveries) run on the first event loop, in commit order, so
// that the writer thread goes straight on to its next batch.
std::unique_ptr<parley::store::Store> open_store(const Config& config, sio::transport::EventLoops& loops) {
  parley::store::WriterOptions writer;
  writer.commit_delay = config.commit_delay;
  writer.run_completions = [&loops](std::function<void()> answer) { loops.post(0, std::move(answer)); };
  if (config.uses_postgres()) return parley::store::open_postgres(config.database_url, std::move(writer));
  return parley::store::open_sqlite(config.sqlite_path(), config.sqlite_synchronous, std::move(writer));
}

std::string jwt_secret(const Config& config) {
  if (!config.jwt_secret.empty()) {
    if (config.jwt_secret.size() < 32) spdlog::warn("JWT_SECRET is shorter than 32 bytes: tokens are easier to forge");
    return config.jwt_secret;
  }
  // Beside the SQLite file; with PostgreSQL, in the working directory.
  auto db_dir = config.uses_postgres() ? std::filesystem::current_path()
                                       : std::filesystem::absolute(config.sqlite_path()).parent_path();
  auto path = (db_dir / "parley.secret").string();
  auto loaded = parley::app::load_or_create_secret(path);
  if (loaded.created) {
    spdlog::info("JWT_SECRET is not set: created a random secret in {} (mode 0600)", path);
  } else {
    spdlog::info("JWT_SECRET is not set: using the secret stored in {}", path);
  }
  return loaded.secret;
}

// The web client's files: --static-dir when given, else the `web` directory the build puts
// beside the binary.
std::filesystem::path web_client_dir(const Config& config) {
  if (!config.static_dir.empty()) return config.static_dir;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path("web") : exe.parent_path() / "web";
}

sio::ServerOptions socketio_options(const Config& config) {
  sio::ServerOptions options;
  options.engine.cors.origins = config.cors_origins;
  options.engine.handshake_rate = config.handshake_rate;
  options.engine.handshake_burst = 3 * config.handshake_rate;
  options.engine.max_buffered_bytes = config.max_buffered_bytes;
  if (!config.cors_origins.empty()) {
    // Browsers send Origin on WebSocket handshakes too, where CORS does not apply: check it here.
    options.engine.allow_request = [origins = config.cors_origins](const sio::transport::HttpRequest& request)
        -> std::optional<std::string> {
      auto origin = request.header("origin");
      if (origin.empty() || std::find(origins.begin(), origins.end(), origin) != origins.end()) return std::nullopt;
      return std::string("Origin not allowed");
    };
  }
  return options;
}

// Every connection is a file descriptor: take all the process may have (the soft limit is
// often 1024, far below what one event loop can serve).
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) == 0) spdlog::debug("open file limit raised to {}", limit.rlim_cur);
}

int serve(const Config& config) {
  raise_open_file_limit();
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  sio::transport::EventLoops loops(config.threads);  // before the store, which posts to it
  // What the library caught at its boundaries (a handler that threw): logged, and only the
  // connection concerned was closed.
  loops.set_error_reporter([](std::string_view what) { spdlog::error("{}", what); });
  auto store = open_store(config, loops);
  spdlog::info("database: {}", store->describe());
  parley::auth::JwtCodec jwt(jwt_secret(config), {.allow_tokens_without_exp = config.allow_tokens_without_exp});
  parley::auth::PasswordHasher hasher(2, 256);
  parley::chat::UserDirectory users(*store);

  sio::Server io(loops, socketio_options(config));
  parley::chat::ChatOptions chat_options;
  chat_options.args.max_message_length = config.max_message_length;
  chat_options.args.default_page = config.history_page_size;
  chat_options.conversations.max_group_members = config.max_group_members;
  chat_options.typing.expiry = std::chrono::seconds(config.typing_timeout);
  chat_options.message_changes.edit_window_ms = config.edit_window * 1000;
  chat_options.presence.grace = std::chrono::seconds(config.presence_grace);
  // At most one presence push per user per 3 s (as often as the grace, when that is shorter).
  chat_options.presence.interval = std::min(std::chrono::milliseconds(3000), std::chrono::milliseconds(chat_options.presence.grace));
  chat_options.auto_create_users = config.auto_create_users;
  chat_options.reject_with_connect_error = config.reject_with_connect_error;
  chat_options.per_user.send = config.send_rate_per_user;
  chat_options.per_user.history = config.history_rate_per_user;
  chat_options.per_address.send = config.send_rate_per_address;
  chat_options.per_address.history = config.history_rate_per_address;
  // The pushes' way out: this process's sockets (a Redis delivery, for several nodes, would go here).
  parley::chat::LocalDelivery delivery(io.of("/"));
  // Destroyed after the loops have stopped (its expiry timers live on them).
  parley::chat::ChatGateway gateway(io, loops, *store, users, jwt, delivery, chat_options);
  gateway.attach();

  parley::api::RestOptions rest_options{
      .token_lifetime_seconds = config.jwt_expires_in,
      .cors_origins = config.cors_origins,
      .api_rate = config.api_rate,
      .register_rate = config.register_rate,
      .login = {.per_address = config.login_failures_per_address,
                .per_account = config.login_failures_per_account,
                .per_username = config.login_failures_per_username},
  };
  auto rest = std::make_shared<parley::api::RestApi>(*store, users, gateway.presence(), jwt, hasher, std::move(rest_options));
  rest->set_fallback(std::make_shared<parley::api::StaticFiles>(web_client_dir(config)));

  sio::transport::HttpServerOptions http_options;
  http_options.hosts = {config.host};
  http_options.port = config.port;
  http_options.trusted_proxies = config.trusted_proxies;
  http_options.max_connections_per_address = config.max_connections_per_address;
  http_options.header_timeout_seconds = static_cast<std::uint32_t>(config.header_timeout);
  sio::transport::HttpServer http(loops, http_options);
  http.mount("/socket.io/", io.endpoint());
  http.set_fallback(rest);
  try {
    http.listen();
  } catch (const std::exception& e) {
    spdlog::error("cannot listen on {}:{}: {}", config.host, config.port, e.what());
    return 1;
  }
  loops.start();
  spdlog::info("parley listening on http://{}:{} with {} event loops", config.host, http.port(), loops.size());

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("{}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  http.stop_accepting();
  // Writes already accepted are committed and acknowledged before the clients are let go.
  store->close();
  io.close();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (io.engine().session_count() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the last close frames go out
  loops.stop();
  loops.join();
  spdlog::info("stopped");
  return 0;
}

int migrate(const Config& config) {
  if (config.uses_postgres()) {
    int applied = parley::store::migrate_postgres(config.database_url);
    std::cout << parley::store::describe_postgres(config.database_url) << ": " << applied << " migration(s) applied\n";
    return 0;
  }
  int applied = parley::store::migrate_sqlite(config.sqlite_path());
  std::cout << "sqlite:" << config.sqlite_path() << ": " << applied << " migration(s) applied\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parley::config::parse(argc, argv);
  if (parsed.exit_now) return parsed.exit_code;
  const Config& config = parsed.config;
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  try {
    if (parsed.command == "migrate") return migrate(config);
    return serve(config);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
