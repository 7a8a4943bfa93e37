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

TEST(LiveArgs, Presence) {
  EXPECT_EQ(error_of(parse_get_presence(R"({"userIds":["b",7,"b"]})")), "INVALID_ARGUMENT Invalid userIds: duplicate b");
  auto two = parse_get_presence(R"({"userIds":["a",7]})");
  ASSERT_EQ(error_of(two), "ok");
  EXPECT_EQ(std::get<PresenceRequest>(two).user_ids, (std::vector<std::string>{"a", "7"}));
  EXPECT_EQ(error_of(parse_get_presence(R"({"userIds":[]})")), "INVALID_ARGUMENT Invalid userIds");
  EXPECT_EQ(error_of(parse_get_presence(R"({"userIds":"a"})")), "INVALID_ARGUMENT Invalid userIds");
  EXPECT_EQ(error_of(parse_get_presence(std::nullopt)), "INVALID_ARGUMENT Invalid userIds");
  std::string many = R"({"userIds":[)";
  for (int i = 0; i <= 200; ++i) {
    if (i) many += ',';
    many += std::to_string(i);
  }
  EXPECT_EQ(error_of(parse_get_presence(many + "]}")), "INVALID_ARGUMENT Too many userIds (max 200)");

  auto hide = parse_set_presence(R"({"appearOffline":true})");
  ASSERT_EQ(error_of(hide), "ok");
  EXPECT_TRUE(std::get<AppearOfflineRequest>(hide).appear_offline);
  EXPECT_EQ(error_of(parse_set_presence(R"({"appearOffline":1})")), "INVALID_ARGUMENT Invalid appearOffline: expected true or false");
  EXPECT_EQ(error_of(parse_set_presence(R"({})")), "INVALID_ARGUMENT Invalid appearOffline: expected true or false");
}
