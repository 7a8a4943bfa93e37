// The arguments of the events that change messages (chat/message_change_args.hpp) and what a
// reaction may be (chat/emoji.hpp).
#include <gtest/gtest.h>

#include "parsed_error.hpp"

#include "chat/emoji.hpp"
#include "chat/message_change_args.hpp"

using namespace parley::chat;

TEST(MessageChangeArgs, Edit) {
  ArgLimits limits;
  limits.max_message_length = 10;
  auto ok = parse_edit_message(R"({"messageId":7,"content":"new text"})", limits);
  ASSERT_EQ(error_of(ok), "ok");
  EXPECT_EQ(std::get<EditRequest>(ok).message_id, 7);
  EXPECT_EQ(std::get<EditRequest>(ok).content, "new text");
  EXPECT_EQ(error_of(parse_edit_message(R"({"messageId":"7","content":"x"})", limits)), "INVALID_ARGUMENT Invalid messageId");
  EXPECT_EQ(error_of(parse_edit_message(R"({"messageId":0,"content":"x"})", limits)), "INVALID_ARGUMENT Invalid messageId");
  EXPECT_EQ(error_of(parse_edit_message(R"({"content":"x"})", limits)), "INVALID_ARGUMENT Invalid messageId");
  EXPECT_EQ(error_of(parse_edit_message(R"([7])", limits)), "INVALID_ARGUMENT Invalid messageId");
  EXPECT_EQ(error_of(parse_edit_message(std::nullopt, limits)), "INVALID_ARGUMENT Invalid messageId");
  EXPECT_EQ(error_of(parse_edit_message(R"({"messageId":7,"content":" \n"})", limits)),
            "INVALID_ARGUMENT Message content cannot be empty");
  EXPECT_EQ(error_of(parse_edit_message(R"({"messageId":7})", limits)), "INVALID_ARGUMENT Message content cannot be empty");
  EXPECT_EQ(error_of(parse_edit_message(R"({"messageId":7,"content":"12345678901"})", limits)).substr(0, 9), "TOO_LARGE");
}

TEST(MessageChangeArgs, MessageRefAndReaction) {
  ASSERT_EQ(error_of(parse_message_ref(R"({"messageId":9})")), "ok");
  EXPECT_EQ(std::get<MessageRef>(parse_message_ref(R"({"messageId":9})")).message_id, 9);
  EXPECT_EQ(error_of(parse_message_ref(R"({"messageId":-9})")), "INVALID_ARGUMENT Invalid messageId");
  EXPECT_EQ(error_of(parse_message_ref(R"({"messageId":1.5})")), "INVALID_ARGUMENT Invalid messageId");
  auto r = parse_reaction(R"({"messageId":9,"emoji":"👍"})");
  ASSERT_EQ(error_of(r), "ok");
  EXPECT_EQ(std::get<ReactionRequest>(r).emoji, "👍");
  EXPECT_EQ(error_of(parse_reaction(R"({"messageId":9,"emoji":"no"})")),
            "INVALID_ARGUMENT Invalid emoji: one emoji, or a short name such as :thumbsup:");
  EXPECT_EQ(error_of(parse_reaction(R"({"messageId":9})")).substr(0, 30), "INVALID_ARGUMENT Invalid emoji");
  EXPECT_EQ(error_of(parse_reaction(R"({"emoji":"👍"})")), "INVALID_ARGUMENT Invalid messageId");
}

TEST(Emoji, OneEmojiGraphemeOrAShortName) {
  for (const char* yes : {"👍", "❤️", "👍🏽", "🇫🇷", "1️⃣", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "©️", ":thumbsup:",
                          ":party_parrot:", ":+1:", ":a:", ":-1:"}) {
    EXPECT_TRUE(is_reaction_emoji(yes)) << yes;
  }
  for (const char* no : {"", "a", "1", "#", "👍👍", "👍 ", " 👍", "hello", "::", ":Thumbs:", ":two words:", ":abc",
                         "abc:", "\n", "\xF0\x9F\x91", "\xC3\x28", "é", "👍\x01"}) {
    EXPECT_FALSE(is_reaction_emoji(no)) << no;
  }
  EXPECT_TRUE(is_reaction_emoji(":" + std::string(32, 'a') + ":"));
  EXPECT_FALSE(is_reaction_emoji(":" + std::string(33, 'a') + ":"));
  EXPECT_FALSE(is_reaction_emoji(std::string(20, '\xF0')));
}
