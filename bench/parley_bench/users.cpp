#include "users.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <simdjson.h>

#include "sio/json.hpp"
#include "sio/util/base64.hpp"
#include "sio/util/uuid.hpp"

namespace parley_bench {

std::vector<User> load_users(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.load(path).get(root)) {
    throw std::runtime_error("cannot read users file " + path + ": " + simdjson::error_message(error));
  }
  simdjson::dom::array array;
  if (root.get_array().get(array)) throw std::runtime_error(path + ": expected a JSON array of users");
  std::vector<User> users;
  users.reserve(array.size());
  for (auto element : array) {
    std::string_view id, name, token;
    if (element["id"].get_string().get(id) || id.empty()) {
      throw std::runtime_error(path + ": user #" + std::to_string(users.size() + 1) + " has no string \"id\"");
    }
    if (element["name"].get_string().get(name)) name = {};
    if (element["token"].get_string().get(token)) token = {};
    users.push_back(User{std::string(id), std::string(name), std::string(token)});
  }
  return users;
}

std::vector<User> make_random_users(uint32_t count, std::string_view prefix) {
  std::vector<User> users;
  users.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    users.push_back(User{sio::util::uuid_v4(), std::string(prefix) + " " + std::to_string(i + 1), {}});
  }
  return users;
}

namespace {
// Base64url without padding, as JWTs use it.
std::string base64url(std::string_view bytes) {
  std::string out;
  sio::util::base64url_append(bytes, out);
  return out;
}
}  // namespace

std::string mint_token(std::string_view secret, std::string_view sub, std::string_view name, int64_t now_s) {
  static constexpr int64_t ten_years_s = 10LL * 365 * 24 * 3600;
  std::string payload = "{\"sub\":";
  sio::json::append_string(payload, sub);
  payload += ",\"name\":";
  sio::json::append_string(payload, name);
  payload += ",\"iat\":" + std::to_string(now_s) + ",\"exp\":" + std::to_string(now_s + ten_years_s) + "}";
  std::string signing_input = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_length)) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return signing_input + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), mac_length));
}

void ensure_tokens(std::vector<User>& users, std::string_view secret) {
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count();
  for (auto& user : users) {
    if (!user.token.empty()) continue;
    if (secret.empty()) {
      throw std::runtime_error("user " + user.id + " has no token: give --secret to mint tokens");
    }
    user.token = mint_token(secret, user.id, user.name, now_s);
  }
}

void write_users(const std::string& path, const std::vector<User>& users) {
  std::string json = "[\n";
  for (std::size_t i = 0; i < users.size(); ++i) {
    json += " {\"id\":";
    sio::json::append_string(json, users[i].id);
    json += ",\"name\":";
    sio::json::append_string(json, users[i].name);
    if (!users[i].token.empty()) {
      json += ",\"token\":";
      sio::json::append_string(json, users[i].token);
    }
    json += i + 1 < users.size() ? "},\n" : "}\n";
  }
  json += "]\n";
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("cannot write " + path);
  file << json;
  if (!file.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace parley_bench
