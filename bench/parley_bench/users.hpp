// The users a run logs in as: read from a JSON file [{id, name, token?}] (the reference
// server's seed.js writes one), or made up with random UUIDs for servers that create users from
// valid tokens; tokens are minted where missing (HS256 JWT with sub, name, iat, exp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley_bench {

struct User {
  std::string id;
  std::string name;
  std::string token;  // may be empty until minted
};

// Reads the users file. Throws std::runtime_error with a readable message on a bad file.
std::vector<User> load_users(const std::string& path);

// `count` users with random version-4 UUIDs, named "<prefix> <n>".
std::vector<User> make_random_users(uint32_t count, std::string_view prefix);

// An HS256 JWT {"sub", "name", "iat", "exp"} signed with `secret`; `exp` is ten years on.
std::string mint_token(std::string_view secret, std::string_view sub, std::string_view name, int64_t now_s);

// Mints a token for every user without one. Throws when a token is missing and `secret` is empty.
void ensure_tokens(std::vector<User>& users, std::string_view secret);

// [{"id","name"(,"token")}], one user a line.
void write_users(const std::string& path, const std::vector<User>& users);

}  // namespace parley_bench
