// The JSON of conversations, log entries and read-state pushes (chat/conversation_json.hpp).
// GCC 12 reports a false -Wrestrict in std::string assignments inlined here (GCC PR 105329).
#pragma GCC diagnostic ignored "-Wrestrict"
#include <gtest/gtest.h>

#include "chat/conversation_json.hpp"

using namespace parley::chat;
using namespace parley::store;

namespace {

LogEntry text_entry() {
  LogEntry e;
  e.id = 12;
  e.conversation_id = 3;
  e.seq = 5;
  e.sender_id = "a";
  e.sender_name = "Ann";
  e.content = "hi";
  e.created_at_ms = 0;
  return e;
}

}  // namespace

TEST(ConversationJson, DirectAndGroupMessages) {
  std::string direct;
  Party ben{"b", "Ben"};
  append_entry(direct, text_entry(), &ben);
  EXPECT_EQ(direct,
            R"({"id":12,"content":"hi","senderId":"a","senderName":"Ann","receiverId":"b","receiverName":"Ben",)"
            R"("createdAt":"1970-01-01T00:00:00.000Z","conversationId":3,"seq":5,"kind":"text","attachments":[],"reactions":[]})");
  std::string group;
  LogEntry system = text_entry();
  system.kind = EntryKind::system;
  system.content = "";
  system.system_json = R"({"type":"created","actorId":"a"})";
  append_entry(group, system, nullptr);
  EXPECT_NE(group.find(R"("receiverId":null,"receiverName":null)"), std::string::npos);
  EXPECT_NE(group.find(R"("kind":"system","system":{"type":"created","actorId":"a"})"), std::string::npos);
}

TEST(ConversationJson, Conversation) {
  ConversationView v;
  v.state.id = 3;
  v.state.kind = ConversationKind::group;
  v.state.title = "T";
  v.state.last_seq = 5;
  v.state.members = {Member{"a", "Ann", Role::owner}, Member{"b", "Ben", Role::admin}};
  v.unread_count = 2;
  v.last_read_seq = 3;
  v.my_role = Role::admin;
  std::string out;
  append_conversation(out, v);
  EXPECT_EQ(out,
            R"({"id":3,"kind":"group","title":"T","members":[{"id":"a","name":"Ann","role":"owner"},)"
            R"({"id":"b","name":"Ben","role":"admin"}],"createdAt":"1970-01-01T00:00:00.000Z","lastSeq":5,)"
            R"("lastMessage":null,"unreadCount":2,"lastReadSeq":3,"myRole":"admin"})");
  v.state.kind = ConversationKind::direct;
  v.last_message = text_entry();
  out.clear();
  append_conversation(out, v);
  EXPECT_NE(out.find(R"("kind":"direct","title":null)"), std::string::npos);
  EXPECT_NE(out.find(R"("receiverId":"b","receiverName":"Ben")"), std::string::npos);  // the other member
}

TEST(ConversationJson, ReadState) {
  EXPECT_EQ(unread_updated_json(3, 0, 7), R"({"conversationId":3,"unreadCount":0,"lastReadSeq":7})");
  EXPECT_EQ(receipt_json(3, "b", 7, Marker::read, 0),
            R"({"conversationId":3,"userId":"b","seq":7,"readAt":"1970-01-01T00:00:00.000Z"})");
  EXPECT_EQ(receipt_json(3, "b", 7, Marker::delivered, 0),
            R"({"conversationId":3,"userId":"b","seq":7,"deliveredAt":"1970-01-01T00:00:00.000Z"})");
  EXPECT_EQ(conversation_removed_json(3), R"({"conversationId":3})");
}

TEST(ConversationJson, ChangedMessages) {
  auto e = text_entry();
  e.reply_to_id = 9;
  e.edited_at_ms = 1'500;
  e.reactions = {Reaction{"👍", {"a", "b"}}, Reaction{":tada:", {"b"}}};
  std::string out;
  append_entry(out, e, nullptr);
  EXPECT_EQ(out,
            R"({"id":12,"content":"hi","senderId":"a","senderName":"Ann","receiverId":null,"receiverName":null,)"
            R"("createdAt":"1970-01-01T00:00:00.000Z","conversationId":3,"seq":5,"kind":"text","replyToId":9,)"
            R"("editedAt":"1970-01-01T00:00:01.500Z","attachments":[],)"
            R"("reactions":[{"emoji":"👍","userIds":["a","b"]},{"emoji":":tada:","userIds":["b"]}]})");
  auto tombstone = text_entry();
  tombstone.content.clear();
  tombstone.deleted = true;
  out.clear();
  append_entry(out, tombstone, nullptr);
  EXPECT_NE(out.find(R"("content":"",)"), std::string::npos);
  EXPECT_NE(out.find(R"("kind":"text","deleted":true,"attachments":[],"reactions":[]})"), std::string::npos);
}
