// The live signals' arguments (chat/live_args.hpp).
#include <gtest/gtest.h>

#include "parsed_error.hpp"

#include "chat/live_args.hpp"

using namespace parley::chat;

TEST(LiveArgs, Typing) {
  auto on = parse_typing(R"({"conversationId":12,"isTyping":true})");
  ASSERT_EQ(error_of(on), "ok");
  EXPECT_EQ(std::get<TypingRequest>(on).conversation_id, 12);
  EXPECT_TRUE(std::get<TypingRequest>(on).is_typing);
  auto off = parse_typing(R"({"isTyping":false,"conversationId":3,"extra":1})");
  ASSERT_EQ(error_of(off), "ok");
  EXPECT_FALSE(std::get<TypingRequest>(off).is_typing);

  EXPECT_EQ(error_of(parse_typing(R"({"conversationId":12})")), "INVALID_ARGUMENT Invalid isTyping: expected true or false");
  EXPECT_EQ(error_of(parse_typing(R"({"conversationId":12,"isTyping":1})")),
            "INVALID_ARGUMENT Invalid isTyping: expected true or false");
  EXPECT_EQ(error_of(parse_typing(R"({"conversationId":12,"isTyping":"true"})")),
            "INVALID_ARGUMENT Invalid isTyping: expected true or false");
  EXPECT_EQ(error_of(parse_typing(R"({"conversationId":"12","isTyping":true})")), "INVALID_ARGUMENT Invalid conversationId");
  EXPECT_EQ(error_of(parse_typing(R"({"conversationId":0,"isTyping":true})")), "INVALID_ARGUMENT Invalid conversationId");
  EXPECT_EQ(error_of(parse_typing(R"({"conversationId":-4,"isTyping":true})")), "INVALID_ARGUMENT Invalid conversationId");
  EXPECT_EQ(error_of(parse_typing(R"({"conversationId":1.5,"isTyping":true})")), "INVALID_ARGUMENT Invalid conversationId");
  EXPECT_EQ(error_of(parse_typing(R"({"isTyping":true})")), "INVALID_ARGUMENT Invalid conversationId");
  EXPECT_EQ(error_of(parse_typing(R"([12,true])")), "INVALID_ARGUMENT Invalid typing: expected {conversationId, isTyping}");
  EXPECT_EQ(error_of(parse_typing(std::nullopt)), "INVALID_ARGUMENT Invalid typing: expected {conversationId, isTyping}");
  EXPECT_EQ(error_of(parse_typing("{")), "INVALID_ARGUMENT Invalid typing: expected {conversationId, isTyping}");
}
