// JSON Web Tokens, HS256 only: verification of clients' tokens and issuing of Parley's own.
// The algorithm is pinned: a token whose header names any other ("none", "HS512", "RS256")
// is refused, whatever its signature. Signatures are compared in constant time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace parley::auth {

struct Claims {
  std::string sub;                 // the user id: the claim's string, or an integer's decimal text
  std::string name;                // display name ("name", else "username", else "preferred_username")
  std::optional<std::int64_t> exp;  // seconds since the epoch
  std::optional<std::int64_t> nbf;
  std::optional<std::int64_t> iat;
};

enum class TokenError {
  missing,          // no token at all
  malformed,        // not three base64url parts of JSON objects; a non-numeric exp/nbf/iat;
                    // a "crit" header; longer than 16 KiB
  wrong_algorithm,  // header alg is not HS256 (including "none")
  bad_signature,
  expired,          // now >= exp
  not_yet_valid,    // now < nbf
  no_subject,       // sub missing, or neither a string of 1 to 128 characters without control
                    // characters nor an integer
  no_expiry,        // no exp, and tokens without one are not allowed (JwtOptions)
};
const char* to_string(TokenError error) noexcept;

// The longest user id a token may name, in characters (Unicode code points).
inline constexpr std::size_t max_subject_characters = 128;

struct JwtOptions {
  // A token without exp would be valid forever: refused unless this is set
  // (ALLOW_TOKENS_WITHOUT_EXP), for applications whose tokens never carry one.
  bool allow_tokens_without_exp = false;
};

class JwtCodec {
 public:
  // `secret` is the raw HMAC key (JWT_SECRET as bytes).
  explicit JwtCodec(std::string secret, JwtOptions options = {});

  // Checks algorithm, signature, exp (required unless allowed otherwise) and nbf (at
  // `now_seconds`, with no leeway) and sub. Fractional dates are floored. Safe to call from
  // several threads at once.
  std::variant<Claims, TokenError> verify(std::string_view token, std::int64_t now_seconds) const;

  // Issues a token with sub, name, iat and exp = iat + lifetime.
  std::string issue(std::string_view sub, std::string_view name, std::int64_t now_seconds,
                    std::int64_t lifetime_seconds) const;

 private:
  std::string secret_;
  JwtOptions options_;
};

// The token a client presented: auth `{token}` (with or without "Bearer "), else the
// `Authorization: Bearer ...` header (scheme case-insensitive; other schemes ignored).
// Surrounding blanks are trimmed. Empty when there is none.
std::string extract_bearer(std::string_view auth_token_field, std::string_view authorization_header);

}  // namespace parley::auth
