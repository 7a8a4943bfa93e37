// HS256 JWTs (RFC 7519 with the JWS compact form of RFC 7515). Tokens come from untrusted
// clients: every failure is a TokenError, never an exception, and nothing is trusted before the
// signature has been checked except the header's "alg".
#include "auth/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <simdjson.h>

#include <array>
#include <climits>
#include <cmath>
#include <cstddef>
#include <limits>

#include "sio/util/base64.hpp"

namespace parley::auth {
namespace {

// Real tokens are a few hundred bytes; the cap keeps a hostile client from making us decode and
// parse megabytes per connection attempt. Identity providers' tokens stay far below it.
constexpr std::size_t max_token_length = 16 * 1024;
constexpr std::size_t signature_length = 32;  // SHA-256

using sio::util::base64url_append;
using sio::util::base64url_decode;

std::array<unsigned char, signature_length> hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, signature_length> mac{};
  unsigned int length = 0;
  // A key past INT_MAX bytes cannot come from configuration; HMAC() would refuse it anyway.
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size() < INT_MAX ? key.size() : INT_MAX),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
  return mac;
}

// One parser per thread: verify() is const and called from every event loop, and a parser
// keeps its buffers between tokens.
simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// Parses `json` as a JSON object. The element points into the thread's parser, so it is valid
// only until the next parse on this thread.
std::optional<simdjson::dom::object> parse_object(const std::string& json) {
  simdjson::dom::object object;
  if (thread_parser().parse(json).get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  return object;
}

// A NumericDate claim. JWT allows fractional seconds; they are floored. Out-of-range values
// saturate, so a far-future exp never wraps into the past.
enum class NumberStatus { absent, ok, invalid };
NumberStatus read_numeric_date(const simdjson::dom::object& payload, std::string_view key,
                               std::optional<std::int64_t>& out) {
  simdjson::dom::element element;
  if (payload[key].get(element) != simdjson::SUCCESS) return NumberStatus::absent;
  std::int64_t signed_value = 0;
  std::uint64_t unsigned_value = 0;
  double double_value = 0;
  if (element.get_int64().get(signed_value) == simdjson::SUCCESS) {
    out = signed_value;
  } else if (element.get_uint64().get(unsigned_value) == simdjson::SUCCESS) {
    out = std::numeric_limits<std::int64_t>::max();
  } else if (element.get_double().get(double_value) == simdjson::SUCCESS) {
    // 2^63 is exactly representable; every double below it converts without overflow.
    constexpr double limit = 9223372036854775808.0;
    const double floored = std::floor(double_value);
    if (floored >= limit) {
      out = std::numeric_limits<std::int64_t>::max();
    } else if (floored < -limit) {
      out = std::numeric_limits<std::int64_t>::min();
    } else {
      out = static_cast<std::int64_t>(floored);
    }
  } else {
    return NumberStatus::invalid;
  }
  return NumberStatus::ok;
}

// A user id from another application: a string of 1 to 128 characters without control
// characters (C0, DEL, C1), or an integer, kept as its decimal text (`"sub": 42` is user "42").
// nullopt for anything else (absent, empty, null, a fraction, an object...).
std::optional<std::string> read_subject(const simdjson::dom::object& payload) {
  simdjson::dom::element element;
  if (payload["sub"].get(element) != simdjson::SUCCESS) return std::nullopt;
  std::int64_t signed_value = 0;
  std::uint64_t unsigned_value = 0;
  // get_int64/get_uint64 take JSON integers only: 42.0 and 4.2e1 are doubles and fail.
  if (element.get_int64().get(signed_value) == simdjson::SUCCESS) return std::to_string(signed_value);
  if (element.get_uint64().get(unsigned_value) == simdjson::SUCCESS) {
    return std::to_string(unsigned_value);
  }
  std::string_view text;
  if (element.get_string().get(text) != simdjson::SUCCESS || text.empty()) return std::nullopt;
  // simdjson has checked that the text is UTF-8: count the bytes that start a character, and
  // look for C1 controls (U+0080-U+009F, encoded as C2 80 - C2 9F).
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return std::nullopt;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) return std::nullopt;
    characters += (c & 0xC0) != 0x80;
  }
  if (characters > max_subject_characters) return std::nullopt;
  return std::string(text);
}

std::string_view read_string(const simdjson::dom::object& object, std::string_view key) {
  std::string_view value;
  if (object[key].get_string().get(value) != simdjson::SUCCESS) return {};
  return value;
}

void append_hex_escape(unsigned char c, std::string& out) {
  constexpr std::string_view hex = "0123456789abcdef";
  out += "\\u00";
  out.push_back(hex[c >> 4]);
  out.push_back(hex[c & 0xF]);
}

// A JSON string literal. Input that is not valid UTF-8 would make a token that no JSON parser
// (ours included) accepts, so its non-ASCII bytes become U+FFFD instead.
void append_json_string(std::string_view text, std::string& out) {
  const bool valid_utf8 = simdjson::validate_utf8(text.data(), text.size());
  out.push_back('"');
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          append_hex_escape(c, out);
        } else if (c >= 0x80 && !valid_utf8) {
          out += "\xEF\xBF\xBD";
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

bool iequals_prefix(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Whether `value` (trimmed) is the word "Bearer", alone or followed by blanks and more.
bool has_bearer_scheme(std::string_view value) {
  if (!iequals_prefix(value, "bearer")) return false;
  return value.size() == 6 || value[6] == ' ' || value[6] == '\t';
}

}  // namespace

const char* to_string(TokenError error) noexcept {
  switch (error) {
    case TokenError::missing: return "missing";
    case TokenError::malformed: return "malformed";
    case TokenError::wrong_algorithm: return "wrong_algorithm";
    case TokenError::bad_signature: return "bad_signature";
    case TokenError::expired: return "expired";
    case TokenError::not_yet_valid: return "not_yet_valid";
    case TokenError::no_subject: return "no_subject";
    case TokenError::no_expiry: return "no_expiry";
  }
  return "unknown";
}

JwtCodec::JwtCodec(std::string secret, JwtOptions options) : secret_(std::move(secret)), options_(options) {}

std::variant<Claims, TokenError> JwtCodec::verify(std::string_view token, std::int64_t now_seconds) const {
  if (token.empty()) return TokenError::missing;
  if (token.size() > max_token_length) return TokenError::malformed;

  const std::size_t first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return TokenError::malformed;
  const std::size_t second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos) return TokenError::malformed;
  if (token.find('.', second_dot + 1) != std::string_view::npos) return TokenError::malformed;
  const std::string_view signing_input = token.substr(0, second_dot);
  const std::string_view header_part = token.substr(0, first_dot);
  const std::string_view payload_part = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_part = token.substr(second_dot + 1);

  // The algorithm is checked before the signature so that "none" and friends are named as
  // what they are, not as a bad signature.
  const auto header_json = base64url_decode(header_part);
  if (!header_json) return TokenError::malformed;
  const auto header = parse_object(*header_json);
  if (!header) return TokenError::malformed;
  if (read_string(*header, "alg") != "HS256") return TokenError::wrong_algorithm;
  // RFC 7515 §4.1.11: a token marking an extension as critical must be refused by a verifier
  // that does not implement it, and we implement none.
  if ((*header)["crit"].error() != simdjson::NO_SUCH_FIELD) return TokenError::malformed;

  const auto signature = base64url_decode(signature_part);
  if (!signature) return TokenError::malformed;
  if (signature->size() != signature_length) return TokenError::bad_signature;
  const auto expected = hmac_sha256(secret_, signing_input);
  if (CRYPTO_memcmp(expected.data(), signature->data(), signature_length) != 0) {
    return TokenError::bad_signature;
  }

  const auto payload_json = base64url_decode(payload_part);
  if (!payload_json) return TokenError::malformed;
  const auto payload = parse_object(*payload_json);
  if (!payload) return TokenError::malformed;

  Claims claims;
  for (const auto& [key, slot] : {std::pair{"exp", &claims.exp}, std::pair{"nbf", &claims.nbf},
                                  std::pair{"iat", &claims.iat}}) {
    if (read_numeric_date(*payload, key, *slot) == NumberStatus::invalid) return TokenError::malformed;
  }
  auto subject = read_subject(*payload);
  if (!subject) return TokenError::no_subject;
  claims.sub = std::move(*subject);
  for (const char* key : {"name", "username", "preferred_username"}) {
    const std::string_view name = read_string(*payload, key);
    if (!name.empty()) {
      claims.name = std::string(name);
      break;
    }
  }
  if (!claims.exp && !options_.allow_tokens_without_exp) return TokenError::no_expiry;
  if (claims.exp && now_seconds >= *claims.exp) return TokenError::expired;
  if (claims.nbf && now_seconds < *claims.nbf) return TokenError::not_yet_valid;
  return claims;
}

std::string JwtCodec::issue(std::string_view sub, std::string_view name, std::int64_t now_seconds,
                            std::int64_t lifetime_seconds) const {
  // {"alg":"HS256","typ":"JWT"}, encoded once by hand.
  std::string token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.";

  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  std::int64_t exp = 0;
  if (lifetime_seconds > 0 && now_seconds > max - lifetime_seconds) {
    exp = max;
  } else if (lifetime_seconds < 0 && now_seconds < min - lifetime_seconds) {
    exp = min;
  } else {
    exp = now_seconds + lifetime_seconds;
  }
  std::string payload = "{\"sub\":";
  append_json_string(sub, payload);
  payload += ",\"name\":";
  append_json_string(name, payload);
  payload += ",\"iat\":" + std::to_string(now_seconds) + ",\"exp\":" + std::to_string(exp) + "}";
  base64url_append(payload, token);

  const auto mac = hmac_sha256(secret_, token);
  token.push_back('.');
  base64url_append(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()), token);
  return token;
}

std::string extract_bearer(std::string_view auth_token_field, std::string_view authorization_header) {
  // Clients put the bare token in `auth`, but some copy the whole header value there.
  std::string_view token = trim(auth_token_field);
  if (has_bearer_scheme(token)) token = trim(token.substr(6));
  if (!token.empty()) return std::string(token);
  // The header must name the Bearer scheme: "Basic ..." credentials are no token of ours.
  const std::string_view header = trim(authorization_header);
  return has_bearer_scheme(header) ? std::string(trim(header.substr(6))) : std::string();
}

}  // namespace parley::auth
