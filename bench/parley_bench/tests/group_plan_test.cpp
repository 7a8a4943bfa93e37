// The group mode's pure pieces: the layout, the payloads, the ack and the judging of receipts.
#include "group_plan.hpp"

#include <gtest/gtest.h>

#include "sio/json.hpp"

namespace parley_bench {
namespace {

TEST(GroupLayout, DisjointGroupsOfConsecutiveUsers) {
  GroupLayout layout{3, 4};
  EXPECT_EQ(layout.users(), 12u);
  EXPECT_EQ(layout.group_of(0), 0u);
  EXPECT_EQ(layout.group_of(3), 0u);
  EXPECT_EQ(layout.group_of(4), 1u);
  EXPECT_EQ(layout.group_of(11), 2u);
  EXPECT_EQ(layout.creator(2), 8u);
  EXPECT_EQ(layout.fanout(), 3u);
  EXPECT_TRUE(layout.contains(11));
  EXPECT_FALSE(layout.contains(12));
}

TEST(GroupPlan, CreateConversationNamesTheOtherMembers) {
  GroupLayout layout{2, 3};
  std::vector<std::string> ids;
  for (const char* id : {"a", "b", "c", "d", "e", "f"}) ids.push_back(sio::json::quote(id));
  EXPECT_EQ(create_conversation_event(layout, 1, ids),
            R"(["create_conversation",{"title":"parley-bench 1","memberIds":["e","f"]}])");
  EXPECT_EQ(create_conversation_event(layout, 0, ids),
            R"(["create_conversation",{"title":"parley-bench 0","memberIds":["b","c"]}])");
}

TEST(GroupPlan, ReadsTheConversationIdFromTheAck) {
  std::string error;
  auto id = conversation_id_from_ack(R"({"success":true,"conversation":{"id":42,"kind":"group"}})", error);
  ASSERT_TRUE(id) << error;
  EXPECT_EQ(*id, 42u);

  EXPECT_FALSE(conversation_id_from_ack(R"({"success":false,"error":"no","code":"FORBIDDEN"})", error));
  EXPECT_NE(error.find("FORBIDDEN"), std::string::npos) << error;
  EXPECT_FALSE(conversation_id_from_ack(R"({"success":true,"conversation":{"id":"42"}})", error));
  EXPECT_NE(error.find("numeric"), std::string::npos) << error;
  EXPECT_FALSE(conversation_id_from_ack(R"({"success":true})", error));
  EXPECT_FALSE(conversation_id_from_ack("not json", error));
}

TEST(GroupPlan, SendPayloadNamesTheConversation) {
  std::string out = "left over";
  begin_group_send(out, 7);
  out += "hi\"}]";
  EXPECT_EQ(out, R"(["send_message",{"conversationId":7,"content":"hi"}])");
}

TEST(GroupPlan, ClassifiesReceipts) {
  GroupLayout layout{2, 3};  // group 0: users 0,1,2; group 1: users 3,4,5
  Probe probe{1, 9, 0, 4, 1};  // from user 4 to group 1
  auto judge = [&](uint32_t receiver, std::string_view sender, std::optional<uint64_t> conversation) {
    return classify_group_receipt(layout, probe, receiver, sender, "u4", conversation, 70);
  };
  EXPECT_EQ(judge(3, "u4", 70), GroupReceipt::delivery);
  EXPECT_EQ(judge(5, "u4", 70), GroupReceipt::delivery);
  EXPECT_EQ(judge(4, "u4", 70), GroupReceipt::echo);
  EXPECT_EQ(judge(1, "u4", 70), GroupReceipt::misrouted);   // another group's member
  EXPECT_EQ(judge(3, "u3", 70), GroupReceipt::misrouted);   // wrong sender
  EXPECT_EQ(judge(3, "u4", 71), GroupReceipt::misrouted);   // wrong conversation
  EXPECT_EQ(judge(3, "u4", std::nullopt), GroupReceipt::misrouted);
  EXPECT_EQ(judge(6, "u4", 70), GroupReceipt::misrouted);   // not in any group

  probe.from = 1;  // a sender outside the group it claims
  EXPECT_EQ(judge(3, "u4", 70), GroupReceipt::misrouted);
  probe.from = 4;
  probe.to = 2;  // no such group
  EXPECT_EQ(judge(3, "u4", 70), GroupReceipt::misrouted);
}

TEST(GroupPlan, CountsMissingDeliveries) {
  EXPECT_EQ(missing_deliveries(9, 9), 0u);
  EXPECT_EQ(missing_deliveries(6, 9), 3u);
  EXPECT_EQ(missing_deliveries(0, 99), 99u);
  EXPECT_EQ(missing_deliveries(11, 9), 0u);
}

}  // namespace
}  // namespace parley_bench
