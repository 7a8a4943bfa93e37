#include "users.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <simdjson.h>

#include "sio/json.hpp"

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

std::string random_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0x0f];
  }
  return out;
}

std::vector<User> make_random_users(uint32_t count, std::string_view prefix) {
  std::vector<User> users;
  users.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    users.push_back(User{random_uuid(), std::string(prefix) + " " + std::to_string(i + 1), {}});
  }
  return users;
}

std::string base64url(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += alphabet[(acc << (6 - bits)) & 0x3f];
  return out;
}

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
