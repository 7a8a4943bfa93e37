// The conversation events' arguments (chat/conversation_args.hpp).
#include <gtest/gtest.h>

#include "parsed_error.hpp"

#include "chat/args.hpp"
#include "chat/conversation_args.hpp"

using namespace parley::chat;

namespace {

const ConversationLimits limits{};

}  // namespace

TEST(ConversationArgs, CreateConversation) {
  auto ok = parse_create_conversation(R"({"title":"Team","memberIds":["b",7,"B"]})", limits);
  ASSERT_EQ(error_of(ok), "ok");
  EXPECT_EQ(std::get<CreateGroupRequest>(ok).title, "Team");
  EXPECT_EQ(std::get<CreateGroupRequest>(ok).member_ids, (std::vector<std::string>{"b", "7", "B"}));
  EXPECT_EQ(error_of(parse_create_conversation(R"({"title":" ","memberIds":["b"]})", limits)), "INVALID_ARGUMENT Invalid title");
  EXPECT_EQ(error_of(parse_create_conversation(R"({"memberIds":["b"]})", limits)), "INVALID_ARGUMENT Invalid title");
  EXPECT_EQ(error_of(parse_create_conversation(R"({"title":"t","memberIds":[]})", limits)), "INVALID_ARGUMENT Invalid memberIds");
  EXPECT_EQ(error_of(parse_create_conversation(R"({"title":"t","memberIds":[true]})", limits)), "INVALID_ARGUMENT Invalid memberIds");
  EXPECT_EQ(error_of(parse_create_conversation(R"({"title":"t","memberIds":["b","b"]})", limits)),
            "INVALID_ARGUMENT Invalid memberIds: duplicate b");
  EXPECT_EQ(error_of(parse_create_conversation(std::nullopt, limits)), "INVALID_ARGUMENT Invalid title");
  std::string long_title(101, 'x');
  EXPECT_EQ(error_of(parse_create_conversation(R"({"title":")" + long_title + R"(","memberIds":["b"]})", limits)),
            "INVALID_ARGUMENT Title too long (max 100 characters)");
  ConversationLimits two{};
  two.max_group_members = 2;
  EXPECT_EQ(error_of(parse_create_conversation(R"({"title":"t","memberIds":["a","b","c"]})", two)),
            "INVALID_ARGUMENT Too many memberIds (max 2)");
}

TEST(ConversationArgs, ListConversationsAndCursor) {
  auto first = parse_list_conversations(std::nullopt, limits);
  ASSERT_EQ(error_of(first), "ok");
  EXPECT_EQ(std::get<ListRequestArgs>(first).limit, 50u);
  EXPECT_FALSE(std::get<ListRequestArgs>(first).after);
  std::string cursor = encode_cursor({1700000000123, 42});
  auto next = parse_list_conversations(R"({"before":")" + cursor + R"(","limit":100})", limits);
  ASSERT_EQ(error_of(next), "ok");
  EXPECT_EQ(std::get<ListRequestArgs>(next).after, (std::pair<std::int64_t, std::int64_t>{1700000000123, 42}));
  EXPECT_EQ(std::get<ListRequestArgs>(next).limit, 100u);
  EXPECT_EQ(error_of(parse_list_conversations(R"({"limit":0})", limits)), "INVALID_ARGUMENT Invalid limit (1 to 100)");
  EXPECT_EQ(error_of(parse_list_conversations(R"({"limit":101})", limits)), "INVALID_ARGUMENT Invalid limit (1 to 100)");
  EXPECT_EQ(error_of(parse_list_conversations(R"({"before":12})", limits)), "INVALID_ARGUMENT Invalid before");
  for (const char* bad : {"", ".", "1.", ".1", "1.0", "-1.2", "a.b", "1.2.3", "99999999999999999999.1"}) {
    EXPECT_FALSE(decode_cursor(bad)) << bad;
  }
  EXPECT_EQ(decode_cursor("0.5"), (std::pair<std::int64_t, std::int64_t>{0, 5}));
}

TEST(ConversationArgs, ConversationIdAndMembers) {
  EXPECT_EQ(std::get<ConversationRequest>(parse_conversation_request(R"({"conversationId":3})")).conversation_id, 3);
  for (const char* bad : {R"({})", R"({"conversationId":0})", R"({"conversationId":-2})", R"({"conversationId":"3"})",
                          R"({"conversationId":1.5})", "[]", "3"}) {
    EXPECT_EQ(error_of(parse_conversation_request(bad)), "INVALID_ARGUMENT Invalid conversationId") << bad;
  }
  auto renamed = parse_update_conversation(R"({"conversationId":3,"title":"New"})", limits);
  EXPECT_EQ(std::get<RenameRequest>(renamed).title, "New");
  auto added = parse_add_members(R"({"conversationId":3,"userIds":["x"]})", limits);
  EXPECT_EQ(std::get<AddMembersRequest>(added).user_ids, std::vector<std::string>{"x"});
  EXPECT_EQ(error_of(parse_add_members(R"({"conversationId":3})", limits)), "INVALID_ARGUMENT Invalid userIds");
  auto removed = parse_remove_member(R"({"conversationId":3,"userId":"X-1"})");
  EXPECT_EQ(std::get<MemberRequest>(removed).user_id, "X-1");
  EXPECT_EQ(error_of(parse_remove_member(R"({"conversationId":3,"userId":""})")), "INVALID_ARGUMENT Invalid userId");
  auto role = parse_set_role(R"({"conversationId":3,"userId":"u","role":"admin"})");
  EXPECT_EQ(std::get<MemberRequest>(role).role, parley::store::Role::admin);
  EXPECT_EQ(error_of(parse_set_role(R"({"conversationId":3,"userId":"u","role":"Admin"})")),
            "INVALID_ARGUMENT Invalid role (owner, admin or member)");
  EXPECT_EQ(error_of(parse_set_role(R"({"conversationId":3,"userId":"u"})")),
            "INVALID_ARGUMENT Invalid role (owner, admin or member)");
}

TEST(ConversationArgs, Mark) {
  auto marked = parse_mark(R"({"conversationId":3,"seq":0})");
  ASSERT_EQ(error_of(marked), "ok");
  EXPECT_EQ(std::get<MarkArgs>(marked).seq, 0);
  EXPECT_EQ(error_of(parse_mark(R"({"conversationId":3,"seq":-1})")), "INVALID_ARGUMENT Invalid seq");
  EXPECT_EQ(error_of(parse_mark(R"({"conversationId":3})")), "INVALID_ARGUMENT Invalid seq");
  EXPECT_EQ(error_of(parse_mark(R"({"conversationId":3,"seq":"4"})")), "INVALID_ARGUMENT Invalid seq");
}

TEST(ConversationArgs, SendAndHistoryByConversationId) {
  ArgLimits args{};
  auto sent = parse_send_message(R"({"conversationId":9,"content":"hi"})", args);
  ASSERT_EQ(error_of(sent), "ok");
  EXPECT_EQ(std::get<SendRequest>(sent).conversation_id, 9);
  EXPECT_TRUE(std::get<SendRequest>(sent).receiver_id.empty());
  EXPECT_EQ(error_of(parse_send_message(R"({"conversationId":"9","content":"hi"})", args)),
            "INVALID_ARGUMENT Invalid conversationId");
  auto read = parse_get_messages(R"({"conversationId":9,"before":4,"limit":2})", args);
  ASSERT_EQ(error_of(read), "ok");
  EXPECT_EQ(std::get<HistoryRequest>(read).conversation_id, 9);
  EXPECT_EQ(std::get<HistoryRequest>(read).before, 4);
  EXPECT_EQ(error_of(parse_get_messages(R"({"conversationId":0})", args)), "INVALID_ARGUMENT Invalid conversationId");
}
