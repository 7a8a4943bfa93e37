#include "api/rest_api.hpp"

#include <algorithm>
#include <chrono>

#include <simdjson.h>

#include "api/json_errors.hpp"
#include "chat/display_name.hpp"
#include "chat/validation.hpp"
#include "sio/json.hpp"
#include "sio/util/random.hpp"
#include "sio/util/uuid.hpp"

namespace parley::api {

using sio::transport::HttpRequest;
using sio::transport::HttpResponse;
using sio::transport::Responder;

namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

HttpResponse json(unsigned status, std::string body) { return HttpResponse::json(status, std::move(body)); }

HttpResponse error(unsigned status, std::string_view message) { return json_error(status, message); }

bool is_loopback(std::string_view address) {
  return address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127.");
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

struct Credentials {
  std::string username;
  std::string password;
  std::string name;
};

// Parses {username, password, name?}; returns the error message for a bad body.
std::optional<std::string> parse_credentials(const std::string& body, Credentials& out) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return "Invalid JSON body";
  simdjson::dom::object o;
  if (doc.get(o)) return "Invalid JSON body";
  std::string_view username, password, name;
  if (o["username"].get(username)) return "username is required";
  if (o["password"].get(password)) return "password is required";
  out.username = lower(username);
  out.password = std::string(password);
  simdjson::dom::element n;
  if (!o["name"].get(n) && !n.is_null()) {
    if (n.get(name)) return "name must be a string";
    out.name = std::string(name);
  }
  return std::nullopt;
}

}  // namespace

bool valid_username(std::string_view username) {
  if (username.size() < 3 || username.size() > 32) return false;
  return std::all_of(username.begin(), username.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

RestApi::RestApi(store::Store& store, chat::UserDirectory& users, chat::PresenceService& presence,
                 const auth::JwtCodec& jwt, auth::PasswordHasher& hasher, RestOptions options)
    : store_(store),
      users_(users),
      presence_(presence),
      jwt_(jwt),
      hasher_(hasher),
      options_(std::move(options)),
      throttle_(options_.login),
      api_limiter_(options_.api_rate),
      register_limiter_(options_.register_rate),
      // A hash of a password nobody knows, with the parameters of real ones (made once: ~0.1 s).
      dummy_hash_(auth::PasswordHasher::hash_now(sio::util::random_token(16))) {}

void RestApi::on_request(HttpRequest&& request, Responder respond) {
  std::string path(request.path());
  // CORS: the API is called from web pages of the allowed origins, with a bearer token.
  std::string origin(request.header("origin"));
  bool allowed = options_.cors_origins.empty() ||
                 std::find(options_.cors_origins.begin(), options_.cors_origins.end(), origin) != options_.cors_origins.end();
  Responder reply = [respond = std::move(respond), origin, allowed](HttpResponse r) {
    if (!origin.empty() && allowed) {
      r.headers.emplace_back("Access-Control-Allow-Origin", origin);
      r.headers.emplace_back("Vary", "Origin");
    }
    // API answers are personal: never cached, unless the answer says otherwise (static files).
    bool has_cache_control = std::any_of(r.headers.begin(), r.headers.end(),
                                         [](const auto& h) { return h.first == "Cache-Control"; });
    if (!has_cache_control) r.headers.emplace_back("Cache-Control", "no-store");
    respond(std::move(r));
  };

  // The transport read the headers only: whatever the route, the client learns why.
  if (request.body_too_large) return reply(too_large());
  if (path == "/healthz" && request.method == "GET") return reply(json(200, R"({"status":"ok"})"));
  if (path == "/readyz" && request.method == "GET") {
    store_.check_ready([reply](bool ready) {
      reply(ready ? json(200, R"({"status":"ready"})") : json(503, R"({"status":"unavailable"})"));
    });
    return;
  }
  const bool api = path.starts_with("/api/");
  if (api && !is_loopback(request.remote_address)) {
    if (auto refused = api_limiter_.take(request.remote_address); !refused) {
      return reply(rate_limited("Too many requests, try again later", refused.retry_after));
    }
  }
  if (api && request.body.size() > options_.max_body_bytes) return reply(too_large(options_.max_body_bytes));
  if (api && request.method == "OPTIONS") {
    HttpResponse preflight = HttpResponse::text(204, "");
    preflight.headers.emplace_back("Access-Control-Allow-Methods", "GET,POST,OPTIONS");
    preflight.headers.emplace_back("Access-Control-Allow-Headers", "Authorization,Content-Type");
    preflight.headers.emplace_back("Access-Control-Max-Age", "600");
    return reply(std::move(preflight));
  }
  if (path == "/api/auth/register") {
    if (request.method != "POST") return reply(error(405, "Use POST"));
    return register_user(request, std::move(reply));
  }
  if (path == "/api/auth/login") {
    if (request.method != "POST") return reply(error(405, "Use POST"));
    return login(request, std::move(reply));
  }
  if (path == "/api/users/me" || path == "/api/users") {
    if (request.method != "GET") return reply(error(405, "Use GET"));
    auto user_id = authenticated_user(request);
    if (!user_id) return reply(error(401, "Unauthorized"));
    if (path == "/api/users/me") return me(*user_id, std::move(reply));
    return search(*user_id, request, std::move(reply));
  }
  if (api || !fallback_) return reply(error(404, "Not found"));
  fallback_->on_request(std::move(request), std::move(reply));
}

std::optional<std::string> RestApi::authenticated_user(const HttpRequest& request) const {
  std::string token = auth::extract_bearer({}, request.header("authorization"));
  auto verified = jwt_.verify(token, now_seconds());
  if (auto* claims = std::get_if<auth::Claims>(&verified)) return chat::canonical_user_id(claims->sub);
  return std::nullopt;
}

std::string RestApi::user_json(const store::User& user) const {
  std::string out = "{\"id\":";
  sio::json::append_string(out, user.id);
  out += ",\"name\":";
  sio::json::append_string(out, user.name);
  out += ",\"username\":";
  sio::json::append_string(out, user.username);
  out += '}';
  return out;
}

std::string RestApi::session_json(const store::User& user) const {
  std::string token = jwt_.issue(user.id, user.name, now_seconds(), options_.token_lifetime_seconds);
  return "{\"token\":\"" + token + "\",\"user\":" + user_json(user) + "}";
}

void RestApi::register_user(const HttpRequest& request, Responder reply) {
  Credentials c;
  if (auto problem = parse_credentials(request.body, c)) return reply(error(400, *problem));
  if (!valid_username(c.username)) {
    return reply(error(400, "username must be 3 to 32 characters: letters, digits, '_', '.', '-'"));
  }
  if (c.password.size() < min_password_length || c.password.size() > max_password_length) {
    return reply(error(400, "password must be 8 to 256 characters"));
  }
  if (c.name.empty()) {
    c.name = c.username;
  } else {
    auto name = chat::normalize_display_name(c.name);
    if (auto* problem = std::get_if<chat::DisplayNameError>(&name)) return reply(error(400, chat::describe(*problem)));
    c.name = std::get<std::string>(std::move(name));
  }

  // Counted once the request is valid, so that a typo in a form costs nothing; a taken username
  // counts (it tells that the name exists), a request the server could not serve does not.
  const std::string address = request.remote_address;
  const bool limited = !is_loopback(address);
  if (limited) {
    if (auto refused = register_limiter_.take(address); !refused) {
      return reply(rate_limited("Too many registrations, try again later", refused.retry_after));
    }
  }
  auto unserved = [this, reply, address, limited](std::string_view message) {
    if (limited) register_limiter_.refund(address);
    reply(error(503, message));
  };

  store::User user{sio::util::uuid_v4(), c.name, c.username, {}, now_seconds() * 1000};
  bool queued = hasher_.hash(c.password, [this, reply, unserved, user = std::move(user)](bool ok, std::string hash) mutable {
    if (!ok) return unserved("Server busy, try again");
    user.password_hash = std::move(hash);
    store_.create_user(user, [this, reply, unserved, user](store::Result<store::CreateUser> result) {
      if (store::failed(result)) return unserved("Database unavailable");
      switch (std::get<store::CreateUser>(result)) {
        case store::CreateUser::created:
          users_.remember(user);
          return reply(json(201, session_json(user)));
        case store::CreateUser::username_taken:
          return reply(error(409, "Username already taken"));
        case store::CreateUser::id_taken:
          return unserved("Please try again");
      }
    });
  });
  if (!queued) unserved("Server busy, try again");
}

void RestApi::login(const HttpRequest& request, Responder reply) {
  Credentials c;
  if (auto problem = parse_credentials(request.body, c)) return reply(error(400, *problem));
  // No account can have such a name: nothing to guess, nothing to hash.
  if (!valid_username(c.username)) return reply(error(401, "Invalid username or password"));
  LoginAttempt attempt{request.remote_address, c.username};
  if (auto refused = throttle_.begin(attempt, LoginThrottle::Clock::now()); !refused) {
    return reply(rate_limited("Too many failed logins, try again later", refused.retry_after));
  }
  store_.get_user_by_username(
      c.username, [this, reply, password = std::move(c.password), attempt = std::move(attempt)](
                      store::Result<std::optional<store::User>> result) mutable {
        if (store::failed(result)) {
          throttle_.abandoned(attempt, LoginThrottle::Clock::now());
          return reply(error(503, "Database unavailable"));
        }
        check_password(password, std::get<std::optional<store::User>>(result), std::move(attempt), std::move(reply));
      });
}

// An unknown username, or a user without a password (known from tokens only), is checked
// against the dummy hash and refused: the same work, so the same time, as a wrong password.
void RestApi::check_password(const std::string& password, const std::optional<store::User>& user,
                             LoginAttempt attempt, Responder reply) {
  const bool has_password = user && !user->password_hash.empty();
  const std::string& hash = has_password ? user->password_hash : dummy_hash_;
  std::optional<store::User> account = has_password ? user : std::nullopt;
  auto done = [this, reply, attempt, user = std::move(account)](bool ok, bool matches) {
    // !ok: the stored hash is unreadable; the password cannot be right.
    if (!ok || !matches || !user) return reply(error(401, "Invalid username or password"));
    throttle_.succeeded(attempt, LoginThrottle::Clock::now());
    reply(json(200, session_json(*user)));
  };
  if (!hasher_.verify(password, hash, std::move(done))) {
    throttle_.abandoned(attempt, LoginThrottle::Clock::now());
    reply(error(503, "Server busy, try again"));
  }
}

void RestApi::me(const std::string& user_id, Responder reply) {
  store_.get_user(user_id, [this, reply](store::Result<std::optional<store::User>> result) {
    if (store::failed(result)) return reply(error(503, "Database unavailable"));
    auto& user = std::get<std::optional<store::User>>(result);
    if (!user) return reply(error(404, "User not found"));
    reply(json(200, user_json(*user)));
  });
}

// The people found, with `online` as `viewer` may see it (docs/api.md "Live signals"): the
// same answer as get_presence, so that the search tells nothing about strangers nor about
// users who appear offline.
void RestApi::search(const std::string& viewer, const HttpRequest& request, Responder reply) {
  std::string text = request.query_param("search").value_or("");
  if (text.size() > 100) return reply(error(400, "search is too long"));
  store_.search_users(text, 50, [this, viewer, reply](store::Result<std::vector<store::User>> result) {
    if (store::failed(result)) return reply(error(503, "Database unavailable"));
    auto users = std::make_shared<std::vector<store::User>>(std::move(std::get<std::vector<store::User>>(result)));
    if (users->empty()) return reply(json(200, "[]"));
    std::vector<std::string> ids;
    ids.reserve(users->size());
    for (const auto& user : *users) ids.push_back(user.id);
    presence_.get(viewer, std::move(ids), [users, reply](chat::Outcome<std::vector<chat::PresenceAnswer>> answered) {
      auto* presence = std::get_if<std::vector<chat::PresenceAnswer>>(&answered);
      if (!presence || presence->size() != users->size()) return reply(error(503, "Database unavailable"));
      std::string body = "[";
      for (std::size_t i = 0; i < users->size(); ++i) {
        if (body.size() > 1) body += ',';
        body += "{\"id\":";
        sio::json::append_string(body, (*users)[i].id);
        body += ",\"name\":";
        sio::json::append_string(body, (*users)[i].name);
        body += ",\"online\":";
        body += (*presence)[i].online ? "true" : "false";
        body += '}';
      }
      body += ']';
      reply(json(200, std::move(body)));
    });
  });
}

}  // namespace parley::api
