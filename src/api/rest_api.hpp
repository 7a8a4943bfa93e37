// Parley's HTTP API beside Socket.IO: health probes and the built-in accounts (register, log
// in, who am I, find people to talk to). JSON in and out; every route but register and login
// needs `Authorization: Bearer <token>`.
//
// Limits, per client address (HttpRequest::remote_address: behind TRUSTED_PROXIES, the client's
// own): requests to /api/ (`api_rate`), registrations (`register_rate`), failed logins
// (LoginThrottle). Over a limit: 429 with retryAfterMs and Retry-After. Loopback addresses are
// exempt from the first two (a reverse proxy on the same machine that is not declared trusted
// would otherwise make everyone one client), never from the login throttle. Bodies: at most
// `max_body_bytes`, else 413.
#pragma once

#include <vector>

#include "api/login_throttle.hpp"
#include "auth/jwt.hpp"
#include "auth/password.hpp"
#include "chat/directory.hpp"
#include "chat/presence_service.hpp"
#include "sio/transport/http.hpp"
#include "sio/util/rate_limiter.hpp"
#include "store/store.hpp"

namespace parley::api {

struct RestOptions {
  std::int64_t token_lifetime_seconds = 3600;
  std::vector<std::string> cors_origins = {};  // empty: any
  sio::util::RateLimit api_rate = {10, 600};  // requests to /api/ per address: 600 a minute
  sio::util::RateLimit register_rate = {20.0 / 3600, 20};  // registrations per address: 20 an hour
  LoginLimits login = {};
  // A registration or login body is a few hundred bytes; nothing of the API needs more.
  std::size_t max_body_bytes = 16 * 1024;
};

class RestApi final : public sio::transport::HttpEndpoint {
 public:
  // `presence` answers the people search's `online` as get_presence would (strangers and users
  // who appear offline: false).
  RestApi(store::Store& store, chat::UserDirectory& users, chat::PresenceService& presence, const auth::JwtCodec& jwt,
          auth::PasswordHasher& hasher, RestOptions options);

  void on_request(sio::transport::HttpRequest&& request, sio::transport::Responder respond) override;
  // Called for paths no route matches (the web client plugs in here).
  void set_fallback(std::shared_ptr<sio::transport::HttpEndpoint> fallback) { fallback_ = std::move(fallback); }

 private:
  void register_user(const sio::transport::HttpRequest& request, sio::transport::Responder respond);
  void login(const sio::transport::HttpRequest& request, sio::transport::Responder respond);
  void me(const std::string& user_id, sio::transport::Responder respond);
  void search(const std::string& viewer, const sio::transport::HttpRequest& request, sio::transport::Responder respond);
  void check_password(const std::string& password, const std::optional<store::User>& user, LoginAttempt attempt,
                      sio::transport::Responder reply);
  std::optional<std::string> authenticated_user(const sio::transport::HttpRequest& request) const;
  std::string user_json(const store::User& user) const;
  std::string session_json(const store::User& user) const;

  store::Store& store_;
  chat::UserDirectory& users_;
  chat::PresenceService& presence_;
  const auth::JwtCodec& jwt_;
  auth::PasswordHasher& hasher_;
  RestOptions options_;
  LoginThrottle throttle_;
  sio::util::RateLimiter api_limiter_;
  sio::util::RateLimiter register_limiter_;
  // What a login for a username without a password is checked against, so that it takes as
  // long as a wrong password: answer times must not tell which usernames exist.
  std::string dummy_hash_;
  std::shared_ptr<sio::transport::HttpEndpoint> fallback_;
};

// Username rules: 3 to 32 characters of a-z, 0-9, '_', '.', '-' (stored lower-cased).
bool valid_username(std::string_view username);
inline constexpr std::size_t min_password_length = 8;
inline constexpr std::size_t max_password_length = 256;

}  // namespace parley::api
