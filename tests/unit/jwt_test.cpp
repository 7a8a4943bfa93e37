// Tests for auth/jwt.hpp. Tokens are built here by a reference signer of the test's own (OpenSSL's
// base64 and HMAC, nothing from jwt.cpp), so verify() is checked against the standard, not
// against issue().
#include "auth/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <string_view>
#include <vector>

namespace parley::auth {
namespace {

constexpr std::string_view secret = "test-secret";
constexpr std::int64_t now = 1'700'000'000;

std::string reference_base64url(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(length));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string reference_mac(const EVP_MD* digest, std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(digest, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string sign(std::string_view header, std::string_view payload, std::string_view key = secret,
                 const EVP_MD* digest = EVP_sha256()) {
  const std::string input = reference_base64url(header) + "." + reference_base64url(payload);
  return input + "." + reference_base64url(reference_mac(digest, key, input));
}

std::string hs256(std::string_view payload) { return sign(R"({"alg":"HS256","typ":"JWT"})", payload); }

TokenError error_of(const std::variant<Claims, TokenError>& result) {
  EXPECT_TRUE(std::holds_alternative<TokenError>(result));
  return std::holds_alternative<TokenError>(result) ? std::get<TokenError>(result) : TokenError::missing;
}

Claims claims_of(const std::variant<Claims, TokenError>& result) {
  if (const auto* error = std::get_if<TokenError>(&result)) {
    ADD_FAILURE() << "token refused: " << to_string(*error);
    return {};
  }
  return std::get<Claims>(result);
}

// Most tests here are about other claims and leave exp out; the default, which refuses tokens
// without exp, is tested on its own (JwtExp).
class JwtVerify : public ::testing::Test {
 protected:
  JwtCodec codec_{std::string(secret), {.allow_tokens_without_exp = true}};
};

TEST_F(JwtVerify, AcceptsValidToken) {
  const auto claims = claims_of(codec_.verify(hs256(R"({"sub":"42","name":"Ada","iat":1000,"exp":2000000000})"), now));
  EXPECT_EQ(claims.sub, "42");
  EXPECT_EQ(claims.name, "Ada");
  EXPECT_EQ(claims.iat, 1000);
  EXPECT_EQ(claims.exp, 2000000000);
  EXPECT_EQ(claims.nbf, std::nullopt);
}

TEST_F(JwtVerify, AcceptsTheJwtIoExampleToken) {
  // The example token published on jwt.io, signed by another implementation.
  const JwtCodec codec("your-256-bit-secret", {.allow_tokens_without_exp = true});  // it has no exp
  const auto claims = claims_of(codec.verify(
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
      now));
  EXPECT_EQ(claims.sub, "1234567890");
  EXPECT_EQ(claims.name, "John Doe");
  EXPECT_EQ(claims.iat, 1516239022);
}

TEST_F(JwtVerify, AcceptsAnyTypAndNoTyp) {
  EXPECT_EQ(claims_of(codec_.verify(sign(R"({"alg":"HS256","typ":"at+jwt"})", R"({"sub":"a"})"), now)).sub, "a");
  EXPECT_EQ(claims_of(codec_.verify(sign(R"({"alg":"HS256"})", R"({"sub":"a"})"), now)).sub, "a");
}

TEST_F(JwtVerify, NameFallsBackToUsernameThenPreferredUsername) {
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":"1","username":"u","preferred_username":"p"})"), now)).name, "u");
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":"1","preferred_username":"p"})"), now)).name, "p");
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":"1","name":7,"username":"u"})"), now)).name, "u");
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":"1"})"), now)).name, "");
}

TEST_F(JwtVerify, RefusesForgedSignature) {
  const std::string payload = R"({"sub":"42"})";
  EXPECT_EQ(error_of(codec_.verify(sign(R"({"alg":"HS256"})", payload, "other-secret"), now)), TokenError::bad_signature);

  std::string token = hs256(payload);
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_of(codec_.verify(token, now)), TokenError::bad_signature);

  // The signature of another payload.
  const std::string other = hs256(R"({"sub":"43"})");
  const std::string spliced = token.substr(0, token.rfind('.')) + other.substr(other.rfind('.'));
  EXPECT_EQ(error_of(codec_.verify(spliced, now)), TokenError::bad_signature);
}

TEST_F(JwtVerify, RefusesSignatureOfWrongLength) {
  const std::string token = hs256(R"({"sub":"42"})");
  const std::string input = token.substr(0, token.rfind('.') + 1);
  EXPECT_EQ(error_of(codec_.verify(input + reference_base64url(std::string(31, 'x')), now)), TokenError::bad_signature);
  EXPECT_EQ(error_of(codec_.verify(input + reference_base64url(std::string(64, 'x')), now)), TokenError::bad_signature);
  EXPECT_EQ(error_of(codec_.verify(input, now)), TokenError::bad_signature);
}

TEST_F(JwtVerify, RefusesOtherAlgorithms) {
  const std::string payload = R"({"sub":"42","exp":2000000000})";
  // alg none with an empty signature: the classic bypass.
  const std::string none = reference_base64url(R"({"alg":"none","typ":"JWT"})") + "." + reference_base64url(payload) + ".";
  EXPECT_EQ(error_of(codec_.verify(none, now)), TokenError::wrong_algorithm);
  EXPECT_EQ(error_of(codec_.verify(sign(R"({"alg":"HS512"})", payload, secret, EVP_sha512()), now)),
            TokenError::wrong_algorithm);
  // An RS256 header over a valid HS256 MAC (key-confusion attempts look like this).
  EXPECT_EQ(error_of(codec_.verify(sign(R"({"alg":"RS256"})", payload), now)), TokenError::wrong_algorithm);
  EXPECT_EQ(error_of(codec_.verify(sign(R"({"alg":"hs256"})", payload), now)), TokenError::wrong_algorithm);
  EXPECT_EQ(error_of(codec_.verify(sign(R"({"typ":"JWT"})", payload), now)), TokenError::wrong_algorithm);
  EXPECT_EQ(error_of(codec_.verify(sign(R"({"alg":null})", payload), now)), TokenError::wrong_algorithm);
}

TEST_F(JwtVerify, RefusesCriticalExtensions) {
  EXPECT_EQ(error_of(codec_.verify(sign(R"({"alg":"HS256","crit":["b64"],"b64":false})", R"({"sub":"1"})"), now)),
            TokenError::malformed);
}

TEST_F(JwtVerify, HonoursExpWithoutLeeway) {
  const std::string token = hs256(R"({"sub":"42","exp":1700000000})");
  EXPECT_EQ(error_of(codec_.verify(token, now)), TokenError::expired);
  EXPECT_EQ(error_of(codec_.verify(token, now + 1)), TokenError::expired);
  EXPECT_EQ(claims_of(codec_.verify(token, now - 1)).exp, now);
}

TEST_F(JwtVerify, HonoursNbf) {
  const std::string token = hs256(R"({"sub":"42","nbf":1700000001})");
  EXPECT_EQ(error_of(codec_.verify(token, now)), TokenError::not_yet_valid);
  EXPECT_EQ(claims_of(codec_.verify(token, now + 1)).nbf, now + 1);
}

TEST_F(JwtVerify, FloorsFractionalAndSaturatesHugeDates) {
  const auto claims = claims_of(codec_.verify(hs256(R"({"sub":"1","exp":1700000000.9,"iat":12.5})"), now - 1));
  EXPECT_EQ(claims.exp, now);
  EXPECT_EQ(claims.iat, 12);
  EXPECT_EQ(error_of(codec_.verify(hs256(R"({"sub":"1","exp":1700000000.9})"), now)), TokenError::expired);

  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":"1","exp":1e300})"), now)).exp, INT64_MAX);
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":"1","exp":18446744073709551615})"), now)).exp, INT64_MAX);
  EXPECT_EQ(error_of(codec_.verify(hs256(R"({"sub":"1","exp":-1e300})"), now)), TokenError::expired);
}

TEST_F(JwtVerify, RefusesNonNumericDates) {
  EXPECT_EQ(error_of(codec_.verify(hs256(R"({"sub":"1","exp":"2000000000"})"), now)), TokenError::malformed);
  EXPECT_EQ(error_of(codec_.verify(hs256(R"({"sub":"1","exp":null})"), now)), TokenError::malformed);
  EXPECT_EQ(error_of(codec_.verify(hs256(R"({"sub":"1","nbf":true})"), now)), TokenError::malformed);
  EXPECT_EQ(error_of(codec_.verify(hs256(R"({"sub":"1","iat":{}})"), now)), TokenError::malformed);
}

TEST_F(JwtVerify, AcceptsAnyShortStringSubjectAsItIs) {
  // Other applications' user ids: not only UUIDs. Case is kept (chat::canonical_user_id lower-cases
  // UUIDs only).
  for (const std::string& sub : std::vector<std::string>{"user-ABC", "42", "auth0|5f7c8ec7c33c6c004bbafe82", "a", "Zoë", "名前",
                                "123E4567-E89B-42D3-A456-426614174ABC", "with space", std::string(128, 'x')}) {
    EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":")" + sub + R"("})"), now)).sub, sub);
  }
  std::string long_in_bytes;
  for (int i = 0; i < 128; ++i) long_in_bytes += "\u00e9";  // 256 bytes, 128 characters
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":")" + long_in_bytes + R"("})"), now)).sub, long_in_bytes);
}

TEST_F(JwtVerify, AcceptsAnIntegerSubjectAsItsDecimalText) {
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":42})"), now)).sub, "42");
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":0})"), now)).sub, "0");
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":-7})"), now)).sub, "-7");
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":9223372036854775807})"), now)).sub, "9223372036854775807");
  EXPECT_EQ(claims_of(codec_.verify(hs256(R"({"sub":18446744073709551615})"), now)).sub, "18446744073709551615");
}

TEST_F(JwtVerify, RefusesOtherSubjects) {
  for (const std::string& payload : std::vector<std::string>{
           R"({"name":"Ada"})", R"({"sub":""})", R"({"sub":null})", R"({"sub":true})", R"({"sub":4.2})",
           R"({"sub":42.0})", R"({"sub":1e3})", R"({"sub":["42"]})",
           R"({"sub":{"id":"42"}})", R"({"sub":"tab\there"})", R"({"sub":"nul\u0000"})", R"({"sub":"del\u007f"})",
           R"({"sub":"c1\u0085"})", R"({"sub":"line\nbreak"})",
           R"({"sub":")" + std::string(129, 'x') + R"("})"}) {
    EXPECT_EQ(error_of(codec_.verify(hs256(payload), now)), TokenError::no_subject) << payload;
  }
  // An integer past 64 bits is no number simdjson reads: the payload does not parse.
  EXPECT_EQ(error_of(codec_.verify(hs256(R"({"sub":18446744073709551616})"), now)), TokenError::malformed);
}

TEST_F(JwtVerify, RefusesMalformedTokens) {
  EXPECT_EQ(error_of(codec_.verify("", now)), TokenError::missing);
  EXPECT_EQ(error_of(codec_.verify("garbage", now)), TokenError::malformed);
  EXPECT_EQ(error_of(codec_.verify("...", now)), TokenError::malformed);
  EXPECT_EQ(error_of(codec_.verify("..", now)), TokenError::malformed);
  const std::string token = hs256(R"({"sub":"42"})");
  EXPECT_EQ(error_of(codec_.verify(token.substr(0, token.rfind('.')), now)), TokenError::malformed);  // 2 parts
  EXPECT_EQ(error_of(codec_.verify(token + ".", now)), TokenError::malformed);                        // 4 parts
  EXPECT_EQ(error_of(codec_.verify(token + ".AAAA", now)), TokenError::malformed);
  EXPECT_EQ(error_of(codec_.verify(" " + token, now)), TokenError::malformed);
}

TEST_F(JwtVerify, RefusesInvalidBase64url) {
  const std::string token = hs256(R"({"sub":"42"})");
  const auto dot = token.rfind('.');
  const std::string input = token.substr(0, dot);
  const std::string mac = token.substr(dot + 1);
  EXPECT_EQ(error_of(codec_.verify(input + "." + mac + "=", now)), TokenError::malformed);  // padding
  EXPECT_EQ(error_of(codec_.verify("eyJhbGciOiJIUzI1NiJ9=" + token.substr(token.find('.')), now)),
            TokenError::malformed);
  std::string standard_alphabet = token;
  standard_alphabet[dot + 3] = '+';
  EXPECT_EQ(error_of(codec_.verify(standard_alphabet, now)), TokenError::malformed);
  standard_alphabet[dot + 3] = '/';
  EXPECT_EQ(error_of(codec_.verify(standard_alphabet, now)), TokenError::malformed);
  // 43 symbols carry 258 bits: the last symbol's 2 spare bits must be zero. "A" -> "B" sets one.
  ASSERT_EQ(mac.size(), 43u);
  std::string respelled = mac;
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  respelled.back() = alphabet[alphabet.find(mac.back()) + 1];
  EXPECT_EQ(error_of(codec_.verify(input + "." + respelled, now)), TokenError::malformed);
  // A length of 4n+1 symbols is no base64 at all.
  EXPECT_EQ(error_of(codec_.verify(input + "." + mac + "AA", now)), TokenError::malformed);
  EXPECT_EQ(error_of(codec_.verify("e." + token.substr(token.find('.') + 1), now)), TokenError::malformed);
}

TEST_F(JwtVerify, RefusesNonObjectJson) {
  for (const char* payload : {"[1,2]", "\"42\"", "42", "null", "{\"sub\":\"1\"", "not json", ""}) {
    EXPECT_EQ(error_of(codec_.verify(hs256(payload), now)), TokenError::malformed) << payload;
  }
  EXPECT_EQ(error_of(codec_.verify(sign("[\"HS256\"]", R"({"sub":"1"})"), now)), TokenError::malformed);
  EXPECT_EQ(error_of(codec_.verify(sign("", R"({"sub":"1"})"), now)), TokenError::malformed);
  // Not UTF-8.
  EXPECT_EQ(error_of(codec_.verify(hs256("{\"sub\":\"\xff\"}"), now)), TokenError::malformed);
}

TEST_F(JwtVerify, RefusesHugeTokens) {
  const std::string big_claim = R"({"sub":"1","pad":")" + std::string(64 * 1024, 'x') + "\"}";
  EXPECT_EQ(error_of(codec_.verify(hs256(big_claim), now)), TokenError::malformed);
  EXPECT_EQ(error_of(codec_.verify(std::string(10 * 1024 * 1024, 'a'), now)), TokenError::malformed);
  // Below the cap, size alone is no reason to refuse.
  const std::string fair_claim = R"({"sub":"1","pad":")" + std::string(8 * 1024, 'x') + "\"}";
  EXPECT_EQ(claims_of(codec_.verify(hs256(fair_claim), now)).sub, "1");
}

TEST(JwtExp, TokensWithoutExpAreRefusedByDefault) {
  const JwtCodec codec{std::string(secret)};
  EXPECT_EQ(error_of(codec.verify(hs256(R"({"sub":"42","iat":1000})"), now)), TokenError::no_expiry);
  EXPECT_EQ(claims_of(codec.verify(hs256(R"({"sub":"42","exp":2000000000})"), now)).sub, "42");
  EXPECT_EQ(error_of(codec.verify(hs256(R"({"sub":"42","exp":1000})"), now)), TokenError::expired);
  EXPECT_STREQ(to_string(TokenError::no_expiry), "no_expiry");
}

TEST(JwtExp, TokensWithoutExpAreAcceptedWhenAllowed) {
  const JwtCodec codec{std::string(secret), {.allow_tokens_without_exp = true}};
  const auto claims = claims_of(codec.verify(hs256(R"({"sub":"42"})"), now));
  EXPECT_EQ(claims.sub, "42");
  EXPECT_EQ(claims.exp, std::nullopt);
  // exp, when present, still counts.
  EXPECT_EQ(error_of(codec.verify(hs256(R"({"sub":"42","exp":1000})"), now)), TokenError::expired);
}

TEST(JwtIssue, ProducesTheStandardFormSignedWithTheSecret) {
  const JwtCodec codec{std::string(secret)};
  const std::string token = codec.issue("u1", "Ada", now, 3600);
  const auto first = token.find('.');
  const auto last = token.rfind('.');
  EXPECT_EQ(token.substr(0, first), reference_base64url(R"({"alg":"HS256","typ":"JWT"})"));
  EXPECT_EQ(token.substr(first + 1, last - first - 1),
            reference_base64url(R"({"sub":"u1","name":"Ada","iat":1700000000,"exp":1700003600})"));
  EXPECT_EQ(token.substr(last + 1), reference_base64url(reference_mac(EVP_sha256(), secret, token.substr(0, last))));
}

TEST(JwtIssue, RoundTripsThroughVerify) {
  const JwtCodec codec{std::string(secret)};
  const std::string name = "Zoë \"quoted\" \\ back\nline\x01 tab\t";
  const auto claims = claims_of(codec.verify(codec.issue("user-7", name, now, 3600), now + 10));
  EXPECT_EQ(claims.sub, "user-7");
  EXPECT_EQ(claims.name, name);
  EXPECT_EQ(claims.iat, now);
  EXPECT_EQ(claims.exp, now + 3600);

  EXPECT_EQ(error_of(codec.verify(codec.issue("user-7", "", now, 3600), now + 3600)), TokenError::expired);
  EXPECT_EQ(error_of(JwtCodec("another").verify(codec.issue("user-7", "", now, 3600), now)), TokenError::bad_signature);
  EXPECT_EQ(claims_of(codec.verify(codec.issue("u", "", now, INT64_MAX), now)).exp, INT64_MAX);
}

TEST(JwtIssue, ReplacesInvalidUtf8SoTheTokenStillParses) {
  const JwtCodec codec{std::string(secret)};
  const auto claims = claims_of(codec.verify(codec.issue("u", "bad \xff\xfe", now, 60), now));
  EXPECT_EQ(claims.name, "bad \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(JwtErrors, HaveNames) {
  EXPECT_STREQ(to_string(TokenError::expired), "expired");
  EXPECT_STREQ(to_string(TokenError::wrong_algorithm), "wrong_algorithm");
}

TEST(ExtractBearer, PrefersTheAuthField) {
  EXPECT_EQ(extract_bearer("abc", "Bearer def"), "abc");
  EXPECT_EQ(extract_bearer("Bearer abc", ""), "abc");
  EXPECT_EQ(extract_bearer("bearer abc", ""), "abc");
  EXPECT_EQ(extract_bearer("BEARER   abc  ", ""), "abc");
  EXPECT_EQ(extract_bearer("  abc  ", ""), "abc");
}

TEST(ExtractBearer, FallsBackToTheAuthorizationHeader) {
  EXPECT_EQ(extract_bearer("", "Bearer def"), "def");
  EXPECT_EQ(extract_bearer("   ", "bearer def"), "def");
  EXPECT_EQ(extract_bearer("Bearer ", "  BeArEr   def "), "def");
  EXPECT_EQ(extract_bearer("", "Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(extract_bearer("", "Bearer"), "");
  EXPECT_EQ(extract_bearer("", "Bearer   "), "");
  EXPECT_EQ(extract_bearer("", "Bearerdef"), "");
  EXPECT_EQ(extract_bearer("", "def"), "");
  EXPECT_EQ(extract_bearer("", ""), "");
}

}  // namespace
}  // namespace parley::auth
