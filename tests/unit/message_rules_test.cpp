// Who may change a message (chat/message_rules.hpp): pure decisions from the message and its
// conversation.
#include <gtest/gtest.h>

#include "chat/message_rules.hpp"

using namespace parley::chat;
using namespace parley::store;

namespace {

// A group: owner "o", admin "a", members "m" and "late" (joined at seq 9); the message is m's,
// seq 5, sent at t = 1,000 ms.
ConversationState team(ConversationKind kind = ConversationKind::group) {
  ConversationState s;
  s.id = 3;
  s.kind = kind;
  s.members = {Member{"o", "O", Role::owner, 1}, Member{"a", "A", Role::admin, 1}, Member{"m", "M", Role::member, 1},
               Member{"late", "L", Role::member, 9}};
  s.last_seq = 9;
  return s;
}

LogEntry message_of(const std::string& sender = "m") {
  LogEntry e;
  e.id = 40;
  e.conversation_id = 3;
  e.seq = 5;
  e.sender_id = sender;
  e.content = "hello";
  e.created_at_ms = 1'000;
  return e;
}

std::string decide(const LogEntry& message, const ConversationState& state, MessageAction action, const std::string& actor,
                   std::string text = {}, std::int64_t at = 2'000, MessageRules rules = {}) {
  std::string why;
  auto d = decide_message_change(MessageFacts{message, state}, MessageChange{message.id, actor, action, std::move(text), at},
                                 rules, &why);
  if (auto* effect = std::get_if<MessageEffect>(&d)) return *effect == MessageEffect::apply ? "apply" : "unchanged";
  switch (std::get<Refusal>(d)) {
    case Refusal::forbidden: return "forbidden: " + why;
    case Refusal::not_found: return "not_found: " + why;
    case Refusal::conflict: return "conflict: " + why;
    case Refusal::invalid_argument: return "invalid_argument: " + why;
  }
  return "?";
}

}  // namespace

TEST(MessageRules, OnlyMembersWhoMaySeeTheMessageAct) {
  auto s = team();
  auto m = message_of();
  EXPECT_EQ(decide(m, s, MessageAction::add_reaction, "stranger", "👍"),
            "forbidden: not a member of this message's conversation");
  EXPECT_EQ(decide(m, s, MessageAction::add_reaction, "late", "👍"), "forbidden: not a member of this message's conversation");
  EXPECT_EQ(decide(m, s, MessageAction::add_reaction, "o", "👍"), "apply");
  auto system = m;
  system.kind = EntryKind::system;
  EXPECT_EQ(decide(system, s, MessageAction::remove, "m"), "invalid_argument: system messages cannot be changed");
}

TEST(MessageRules, EditsAreTheSendersWithinTheWindow) {
  auto s = team();
  auto m = message_of();
  EXPECT_EQ(decide(m, s, MessageAction::edit, "m", "hello!"), "apply");
  EXPECT_EQ(decide(m, s, MessageAction::edit, "m", "hello"), "unchanged");
  EXPECT_EQ(decide(m, s, MessageAction::edit, "o", "hello!"), "forbidden: only its sender can edit a message");
  MessageRules window{.edit_window_ms = 60'000};
  EXPECT_EQ(decide(m, s, MessageAction::edit, "m", "x", 61'000, window), "apply");
  EXPECT_EQ(decide(m, s, MessageAction::edit, "m", "x", 61'001, window), "forbidden: the time to edit this message has passed");
  auto deleted = m;
  deleted.deleted = true;
  EXPECT_EQ(decide(deleted, s, MessageAction::edit, "m", "x"), "conflict: the message was deleted");
}

TEST(MessageRules, DeletionsAreTheSendersOrAGroupsModerators) {
  auto m = message_of();
  auto s = team();
  EXPECT_EQ(decide(m, s, MessageAction::remove, "m"), "apply");
  EXPECT_EQ(decide(m, s, MessageAction::remove, "o"), "apply");
  EXPECT_EQ(decide(m, s, MessageAction::remove, "a"), "apply");
  auto by_owner = message_of("o");
  EXPECT_EQ(decide(by_owner, s, MessageAction::remove, "a"), "apply");
  EXPECT_EQ(decide(by_owner, s, MessageAction::remove, "m"),
            "forbidden: only its sender, or a group's owner or admin, can delete a message");
  // A direct conversation has no moderators, whatever its rows say.
  auto direct = team(ConversationKind::direct);
  EXPECT_EQ(decide(m, direct, MessageAction::remove, "o").substr(0, 9), "forbidden");
  auto deleted = m;
  deleted.deleted = true;
  EXPECT_EQ(decide(deleted, s, MessageAction::remove, "m"), "unchanged");
}

TEST(MessageRules, ReactionsAreBounded) {
  auto s = team();
  auto m = message_of();
  m.reactions = {Reaction{"👍", {"o", "a"}}};
  EXPECT_EQ(decide(m, s, MessageAction::add_reaction, "o", "👍"), "unchanged");
  EXPECT_EQ(decide(m, s, MessageAction::add_reaction, "m", "👍"), "apply");
  EXPECT_EQ(decide(m, s, MessageAction::remove_reaction, "m", "👍"), "unchanged");
  EXPECT_EQ(decide(m, s, MessageAction::remove_reaction, "a", "👍"), "apply");
  MessageRules two{.max_emojis = 2, .max_per_user = 2};
  m.reactions.push_back(Reaction{"🎉", {"o"}});
  EXPECT_EQ(decide(m, s, MessageAction::add_reaction, "m", "😀", 2'000, two),
            "conflict: this message has as many different reactions as it may have");
  EXPECT_EQ(decide(m, s, MessageAction::add_reaction, "a", "🎉", 2'000, two), "apply");  // not a new emoji
  EXPECT_EQ(decide(m, s, MessageAction::add_reaction, "o", "😀", 2'000, MessageRules{.max_per_user = 2}),
            "conflict: you have as many reactions on this message as you may");
  auto deleted = m;
  deleted.deleted = true;
  EXPECT_EQ(decide(deleted, s, MessageAction::add_reaction, "m", "👍"), "conflict: the message was deleted");
}
