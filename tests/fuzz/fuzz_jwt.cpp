// Fuzzes JwtCodec::verify, which reads tokens from untrusted clients: it must never crash,
// hang or leak, and what it accepts must keep the rules its callers rely on (a subject of 1 to
// 128 characters without control characters, an exp unless allowed otherwise).
//
// The first byte picks how the rest becomes a token, so that the fuzzer also gets past the
// signature check, where the claims are read:
//   0: the bytes are the token;
//   1: the bytes follow a valid HS256 header ("payload.signature", forged);
//   2: the bytes are the payload JSON, under a valid header, correctly signed;
//   3: the bytes are a display name given to issue(): the token it makes must verify.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "auth/jwt.hpp"
#include "sio/util/base64.hpp"

namespace {

using parley::auth::Claims;
using parley::auth::JwtCodec;
using parley::auth::TokenError;

constexpr std::string_view secret = "fuzz-secret-0123456789abcdef0123";
constexpr std::int64_t now = 1'700'000'000;
constexpr std::string_view hs256_header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";  // {"alg":"HS256","typ":"JWT"}

std::string signed_token(std::string_view payload) {
  std::string token(hs256_header);
  token.push_back('.');
  sio::util::base64url_append(payload, token);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(token.data()),
       token.size(), mac, &length);
  token.push_back('.');
  sio::util::base64url_append(std::string_view(reinterpret_cast<const char*>(mac), length), token);
  return token;
}

void check_accepted(const Claims& claims, bool exp_required) {
  if (claims.sub.empty() || claims.sub.size() > 4 * parley::auth::max_subject_characters) std::abort();
  for (const char c : claims.sub) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) std::abort();
  }
  if (exp_required && (!claims.exp || now >= *claims.exp)) std::abort();
  if (claims.nbf && now < *claims.nbf) std::abort();
}

void verify_both_ways(std::string_view token) {
  static const JwtCodec strict{std::string(secret)};
  static const JwtCodec lenient{std::string(secret), {.allow_tokens_without_exp = true}};
  const auto strict_result = strict.verify(token, now);
  const auto lenient_result = lenient.verify(token, now);
  if (const auto* claims = std::get_if<Claims>(&strict_result)) {
    check_accepted(*claims, true);
    if (!std::holds_alternative<Claims>(lenient_result)) std::abort();  // allowing more never refuses
  }
  if (const auto* claims = std::get_if<Claims>(&lenient_result)) check_accepted(*claims, false);
  if (const auto* error = std::get_if<TokenError>(&lenient_result)) {
    if (*error == TokenError::no_expiry) std::abort();  // only the strict codec says that
    if (!std::holds_alternative<TokenError>(strict_result)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      verify_both_ways(rest);
      break;
    case 1:
      verify_both_ways(std::string(hs256_header) + "." + std::string(rest));
      break;
    case 2:
      verify_both_ways(signed_token(rest));
      break;
    case 3: {
      static const JwtCodec codec{std::string(secret)};
      const auto result = codec.verify(codec.issue("fuzz-user", rest, now, 3600), now);
      const auto* claims = std::get_if<Claims>(&result);
      if (!claims || claims->sub != "fuzz-user") std::abort();
      break;
    }
  }
  return 0;
}
