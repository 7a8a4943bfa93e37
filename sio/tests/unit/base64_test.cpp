// Tests for util/base64.hpp: RFC 4648 vectors, strict rejection, round trips.
#include "sio/util/base64.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sio::util {
namespace {

std::string encode(std::string_view bytes) {
  std::string out;
  base64_append(bytes, out);
  return out;
}

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(encode("f"), "Zg==");
  EXPECT_EQ(encode("fo"), "Zm8=");
  EXPECT_EQ(encode("foo"), "Zm9v");
  EXPECT_EQ(encode("foob"), "Zm9vYg==");
  EXPECT_EQ(encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, AppendsAfterExistingText) {
  std::string out = "b";
  base64_append("hello", out);
  EXPECT_EQ(out, "baGVsbG8=");
  EXPECT_EQ(out.size(), 9u);  // no trailing NUL from EVP_EncodeBlock
}

TEST(Base64, DecodesRfc4648Vectors) {
  EXPECT_EQ(base64_decode(""), std::string());
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9v"), "foo");
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
}

TEST(Base64, DecodesBinaryBytesAndBothExtraSymbols) {
  EXPECT_EQ(base64_decode("AAECAwQ="), std::string("\x00\x01\x02\x03\x04", 5));
  EXPECT_EQ(base64_decode("+/+/"), std::string("\xfb\xff\xbf", 3));
  // The Engine.IO protocol document's example: "b" + base64 of the bytes 1 2 3 4.
  EXPECT_EQ(base64_decode("AQIDBA=="), std::string("\x01\x02\x03\x04", 4));
}

TEST(Base64, RejectsLengthsNotMultipleOfFour) {
  EXPECT_EQ(base64_decode("Z"), std::nullopt);
  EXPECT_EQ(base64_decode("Zg"), std::nullopt);
  EXPECT_EQ(base64_decode("Zg="), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9vY"), std::nullopt);
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_EQ(base64_decode("Zm9v YmFy"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9-"), std::nullopt);  // base64url is not accepted
  EXPECT_EQ(base64_decode("Zm9_"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9\n"), std::nullopt);
  EXPECT_EQ(base64_decode(" Zm9v"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9v\n"), std::nullopt);
  EXPECT_EQ(base64_decode(std::string("Zm\0v", 4)), std::nullopt);
  EXPECT_EQ(base64_decode("Zm\xc3\xa9"), std::nullopt);
}

TEST(Base64, RejectsMisplacedPadding) {
  EXPECT_EQ(base64_decode("===="), std::nullopt);
  EXPECT_EQ(base64_decode("Z==="), std::nullopt);
  EXPECT_EQ(base64_decode("Zg=a"), std::nullopt);
  EXPECT_EQ(base64_decode("Zg==Zm9v"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm=v"), std::nullopt);
  EXPECT_EQ(base64_decode("=m9v"), std::nullopt);
}

TEST(Base64, FailedDecodeLeavesOutputUntouched) {
  std::string out = "kept";
  EXPECT_FALSE(base64_decode_append("Zg=a", out));
  EXPECT_EQ(out, "kept");
  EXPECT_TRUE(base64_decode_append("Zm8=", out));
  EXPECT_EQ(out, "keptfo");
}

TEST(Base64, RoundTripsEveryLengthAndByte) {
  std::mt19937 rng(42);
  for (size_t length = 0; length < 300; ++length) {
    std::string bytes(length, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng());
    const std::string text = encode(bytes);
    EXPECT_EQ(text.size(), (length + 2) / 3 * 4);
    EXPECT_EQ(base64_decode(text), bytes) << "length " << length;
  }
}

TEST(Base64, RoundTripsAMegabyte) {
  std::string bytes(1 << 20, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + (i >> 8));
  EXPECT_EQ(base64_decode(encode(bytes)), bytes);
}

}  // namespace
}  // namespace sio::util
