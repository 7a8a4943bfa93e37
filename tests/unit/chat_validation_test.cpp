// The chat's input rules: user ids, UUIDs, blank content (JavaScript's trim set), length in characters.
#include <gtest/gtest.h>

#include "chat/validation.hpp"

using namespace parley::chat;

TEST(ChatValidation, UserIdsThatAreUuidsAreKeptInLowerCase) {
  EXPECT_EQ(canonical_user_id("123E4567-E89B-42D3-A456-426614174ABC"), "123e4567-e89b-42d3-a456-426614174abc");
  EXPECT_EQ(canonical_user_id("123e4567-e89b-42d3-a456-426614174abc"), "123e4567-e89b-42d3-a456-426614174abc");
  EXPECT_EQ(canonical_user_id("User-ABC"), "User-ABC");  // not a UUID: as it came
  EXPECT_EQ(canonical_user_id(""), "");
}

TEST(ChatValidation, UuidAcceptsAnyCaseAndRefusesOtherShapes) {
  EXPECT_TRUE(is_uuid("123e4567-e89b-42d3-a456-426614174000"));
  EXPECT_TRUE(is_uuid("123E4567-E89B-42D3-A456-426614174000"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("123e4567e89b42d3a456426614174000"));
  EXPECT_FALSE(is_uuid("123e4567-e89b-42d3-a456-42661417400"));
  EXPECT_FALSE(is_uuid("123e4567-e89b-42d3-a456-4266141740000"));
  EXPECT_FALSE(is_uuid("g23e4567-e89b-42d3-a456-426614174000"));
  EXPECT_FALSE(is_uuid("123e4567_e89b-42d3-a456-426614174000"));
  EXPECT_FALSE(is_uuid("user-uuid"));
}

TEST(ChatValidation, UserIdsAreOneTo128CharactersWithoutControlCharacters) {
  EXPECT_TRUE(is_user_id("123e4567-e89b-42d3-a456-426614174000"));
  EXPECT_TRUE(is_user_id("42"));
  EXPECT_TRUE(is_user_id("alice@example.com"));
  EXPECT_TRUE(is_user_id(" spaces are characters "));
  EXPECT_TRUE(is_user_id("\xC3\xBCser"));  // üser
  EXPECT_TRUE(is_user_id(std::string(128, 'x')));
  std::string euros;
  for (int i = 0; i < 128; ++i) euros += "\xE2\x82\xAC";
  EXPECT_TRUE(is_user_id(euros));  // 128 characters of 3 bytes
  EXPECT_FALSE(is_user_id(euros + "\xE2\x82\xAC"));
  EXPECT_FALSE(is_user_id(std::string(129, 'x')));
  EXPECT_FALSE(is_user_id(""));
  EXPECT_FALSE(is_user_id(std::string("nul\0", 4)));
  EXPECT_FALSE(is_user_id("line\nbreak"));
  EXPECT_FALSE(is_user_id("tab\t"));
  EXPECT_FALSE(is_user_id("del\x7F"));
  EXPECT_FALSE(is_user_id("c1\xC2\x85"));      // U+0085
  EXPECT_FALSE(is_user_id("cut\xEF\xBF\xBD"));  // U+FFFD: a lone surrogate on the way in
}

TEST(ChatValidation, CountsCharactersNotBytes) {
  EXPECT_EQ(count_characters(""), 0u);
  EXPECT_EQ(count_characters("abc"), 3u);
  EXPECT_EQ(count_characters("\xE2\x82\xAC"), 1u);          // €
  EXPECT_EQ(count_characters("\xF0\x9F\x98\x80" "a"), 2u);  // 😀a
  EXPECT_EQ(count_characters("h\xC3\xA9llo"), 5u);          // héllo
}

TEST(ChatValidation, BlankMeansOnlyWhiteSpaceIncludingUnicodeSpaces) {
  EXPECT_TRUE(is_blank(""));
  EXPECT_TRUE(is_blank(" \t\r\n\v\f"));
  EXPECT_TRUE(is_blank("\xC2\xA0"));          // no-break space
  EXPECT_TRUE(is_blank("\xE3\x80\x80"));      // ideographic space
  EXPECT_TRUE(is_blank("\xEF\xBB\xBF"));      // byte order mark
  EXPECT_TRUE(is_blank("\xE2\x80\x83 \xE2\x80\xA8"));
  EXPECT_FALSE(is_blank(" a "));
  EXPECT_FALSE(is_blank("\xE2\x80\x8B"));     // zero-width space is not white space in JS
  EXPECT_FALSE(is_blank("."));
}

TEST(ChatValidation, ContentErrorsUseTheSeedsMessages) {
  EXPECT_EQ(content_error("   ", 5000), "Message content cannot be empty");
  EXPECT_EQ(content_error("", 5000), "Message content cannot be empty");
  EXPECT_EQ(content_error("hello", 5000), std::nullopt);
  EXPECT_EQ(content_error(std::string(5000, 'x'), 5000), std::nullopt);
  EXPECT_EQ(content_error(std::string(5001, 'x'), 5000), "Message content too long (max 5000 characters)");
  EXPECT_EQ(content_error("12345678901", 10), "Message content too long (max 10 characters)");
  std::string euros;
  for (int i = 0; i < 5000; ++i) euros += "\xE2\x82\xAC";  // 15000 bytes, 5000 characters
  EXPECT_EQ(content_error(euros, 5000), std::nullopt);
}

TEST(ChatValidation, ClientMessageIds) {
  EXPECT_TRUE(is_client_message_id("6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"));
  EXPECT_TRUE(is_client_message_id("x"));
  EXPECT_TRUE(is_client_message_id(std::string(max_client_message_id, 'k')));
  EXPECT_FALSE(is_client_message_id(""));
  EXPECT_FALSE(is_client_message_id(std::string(max_client_message_id + 1, 'k')));
  EXPECT_FALSE(is_client_message_id("with space"));
  EXPECT_FALSE(is_client_message_id("tab\there"));
  EXPECT_FALSE(is_client_message_id("\xE2\x82\xAC"));  // not ASCII
}
