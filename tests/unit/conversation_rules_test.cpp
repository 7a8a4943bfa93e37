// The rules of conversations (chat/conversation_rules.hpp): pure decisions from a group's state.
#include <gtest/gtest.h>

#include "chat/conversation_rules.hpp"

using namespace parley::chat;
using parley::store::ConversationChange;
using parley::store::ConversationDecision;
using parley::store::ConversationKind;
using parley::store::ConversationState;
using parley::store::Member;
using parley::store::Refusal;
using parley::store::Role;

namespace {

// owner "o" (joined 1), admins "a1" (joined 3) and "a2" (joined 2), members "m1" (1), "m2" (4).
ConversationState team() {
  ConversationState s;
  s.id = 7;
  s.kind = ConversationKind::group;
  s.title = "Team";
  s.members = {Member{"o", "O", Role::owner, 1}, Member{"m1", "M1", Role::member, 1}, Member{"a2", "A2", Role::admin, 2},
               Member{"a1", "A1", Role::admin, 3}, Member{"m2", "M2", Role::member, 4}};
  s.last_seq = 4;
  return s;
}

std::string outcome(const ConversationDecision& d) {
  if (auto* why = std::get_if<Refusal>(&d)) {
    switch (*why) {
      case Refusal::forbidden: return "forbidden";
      case Refusal::not_found: return "not_found";
      case Refusal::conflict: return "conflict";
      case Refusal::invalid_argument: return "invalid_argument";
    }
  }
  return "ok";
}

const ConversationChange& change_of(const ConversationDecision& d) { return std::get<ConversationChange>(d); }

}  // namespace

TEST(ConversationRules, RenameByOwnerOrAdminOnly) {
  auto s = team();
  EXPECT_EQ(outcome(decide_rename(s, "o", "New")), "ok");
  EXPECT_EQ(outcome(decide_rename(s, "a1", "New")), "ok");
  EXPECT_EQ(outcome(decide_rename(s, "m1", "New")), "forbidden");
  EXPECT_EQ(outcome(decide_rename(s, "stranger", "New")), "forbidden");
  auto c = change_of(decide_rename(s, "a1", "New"));
  EXPECT_EQ(c.title, "New");
  EXPECT_EQ(c.actor_id, "a1");
  EXPECT_EQ(c.system_json, R"({"type":"title_changed","actorId":"a1","title":"New"})");
}

TEST(ConversationRules, DirectConversationsRefuseEveryChange) {
  auto s = team();
  s.kind = ConversationKind::direct;
  EXPECT_EQ(outcome(decide_rename(s, "o", "x")), "forbidden");
  EXPECT_EQ(outcome(decide_add(s, "o", {"new"}, 1000)), "forbidden");
  EXPECT_EQ(outcome(decide_remove(s, "o", "m1")), "forbidden");
  EXPECT_EQ(outcome(decide_set_role(s, "o", "m1", Role::admin)), "forbidden");
  EXPECT_EQ(outcome(decide_leave(s, "o")), "forbidden");
}

TEST(ConversationRules, AddMembers) {
  auto s = team();
  auto c = change_of(decide_add(s, "a1", {"n1", "n2"}, 1000));
  ASSERT_EQ(c.add.size(), 2u);
  EXPECT_EQ(c.add[0], (std::pair<std::string, Role>{"n1", Role::member}));
  EXPECT_EQ(c.system_json, R"({"type":"members_added","actorId":"a1","userIds":["n1","n2"]})");
  EXPECT_EQ(outcome(decide_add(s, "m1", {"n1"}, 1000)), "forbidden");
  EXPECT_EQ(outcome(decide_add(s, "o", {"m2"}, 1000)), "conflict");
  EXPECT_EQ(outcome(decide_add(s, "o", {"n1", "n1"}, 1000)), "invalid_argument");
  EXPECT_EQ(outcome(decide_add(s, "o", {}, 1000)), "invalid_argument");
  EXPECT_EQ(outcome(decide_add(s, "o", {"n1"}, 6)), "ok");
  EXPECT_EQ(outcome(decide_add(s, "o", {"n1", "n2"}, 6)), "invalid_argument");  // 7 > 6
}

TEST(ConversationRules, RemoveMember) {
  auto s = team();
  EXPECT_EQ(change_of(decide_remove(s, "a1", "m1")).remove, std::vector<std::string>{"m1"});
  EXPECT_EQ(change_of(decide_remove(s, "a1", "a2")).system_json,
            R"({"type":"member_removed","actorId":"a1","userIds":["a2"]})");
  EXPECT_EQ(outcome(decide_remove(s, "a1", "o")), "forbidden");  // an admin cannot remove an owner
  EXPECT_EQ(outcome(decide_remove(s, "m1", "m2")), "forbidden");
  EXPECT_EQ(outcome(decide_remove(s, "o", "stranger")), "not_found");
  EXPECT_EQ(outcome(decide_remove(s, "o", "o")), "invalid_argument");  // leave instead
  s.members[1].role = Role::owner;                                   // two owners: one may remove the other
  EXPECT_EQ(outcome(decide_remove(s, "o", "m1")), "ok");
}

TEST(ConversationRules, SetRoleByOwnersOnlyAndNeverWithoutOwner) {
  auto s = team();
  EXPECT_EQ(change_of(decide_set_role(s, "o", "m1", Role::admin)).roles,
            (std::vector<std::pair<std::string, Role>>{{"m1", Role::admin}}));
  EXPECT_EQ(change_of(decide_set_role(s, "o", "m1", Role::owner)).system_json,
            R"({"type":"role_changed","actorId":"o","userIds":["m1"],"role":"owner"})");
  EXPECT_EQ(outcome(decide_set_role(s, "a1", "m1", Role::admin)), "forbidden");
  EXPECT_EQ(outcome(decide_set_role(s, "o", "o", Role::admin)), "conflict");  // the last owner
  EXPECT_EQ(outcome(decide_set_role(s, "o", "a1", Role::admin)), "conflict");  // already
  EXPECT_EQ(outcome(decide_set_role(s, "o", "stranger", Role::admin)), "not_found");
  s.members[1].role = Role::owner;
  EXPECT_EQ(outcome(decide_set_role(s, "o", "o", Role::member)), "ok");  // another owner remains
}

TEST(ConversationRules, LastOwnerLeavingHandsOwnershipToLongestStandingAdmin) {
  auto s = team();
  auto c = change_of(decide_leave(s, "o"));
  EXPECT_EQ(c.remove, std::vector<std::string>{"o"});
  EXPECT_EQ(c.roles, (std::vector<std::pair<std::string, Role>>{{"a2", Role::owner}}));  // joined 2 < 3
  EXPECT_EQ(c.system_json, R"({"type":"member_left","actorId":"o","userIds":["o","a2"]})");
  // No admin: the longest-standing member, ties in the state's order.
  s.members[2].role = Role::member;
  s.members[3].role = Role::member;
  EXPECT_EQ(change_of(decide_leave(s, "o")).roles, (std::vector<std::pair<std::string, Role>>{{"m1", Role::owner}}));
  // Alone: just leaves.
  ConversationState alone = team();
  alone.members.resize(1);
  EXPECT_TRUE(change_of(decide_leave(alone, "o")).roles.empty());
  // Not the last owner, or not an owner: no hand-over.
  EXPECT_TRUE(change_of(decide_leave(team(), "m2")).roles.empty());
  EXPECT_EQ(outcome(decide_leave(team(), "stranger")), "forbidden");
}

TEST(ConversationRules, SystemJsonEscapes) {
  EXPECT_EQ(system_json("created", "a\"b", {"x"}, std::string("t\n")),
            R"({"type":"created","actorId":"a\"b","userIds":["x"],"title":"t\n"})");
}
