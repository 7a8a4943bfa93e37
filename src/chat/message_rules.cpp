#include "chat/message_rules.hpp"

#include <algorithm>

namespace parley::chat {

namespace {

using store::MessageAction;
using store::MessageDecision;
using store::MessageEffect;
using store::Refusal;

MessageDecision refuse(Refusal why, const char* sentence, std::string* out) {
  if (out) *out = sentence;
  return why;
}

bool has(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

MessageDecision decide_reaction(const store::LogEntry& message, const store::MessageChange& change,
                                const MessageRules& rules, std::string* why) {
  const store::Reaction* same = nullptr;
  std::size_t mine = 0;
  for (const auto& r : message.reactions) {
    if (r.emoji == change.text) same = &r;
    if (has(r.user_ids, change.actor_id)) ++mine;
  }
  bool there = same && has(same->user_ids, change.actor_id);
  if (change.action == MessageAction::remove_reaction) return there ? MessageEffect::apply : MessageEffect::unchanged;
  if (there) return MessageEffect::unchanged;
  if (!same && message.reactions.size() >= rules.max_emojis) {
    return refuse(Refusal::conflict, "this message has as many different reactions as it may have", why);
  }
  if (mine >= rules.max_per_user) return refuse(Refusal::conflict, "you have as many reactions on this message as you may", why);
  return MessageEffect::apply;
}

}  // namespace

MessageDecision decide_message_change(const store::MessageFacts& facts, const store::MessageChange& change,
                                      const MessageRules& rules, std::string* why) {
  const auto& message = facts.message;
  const store::Member* actor = facts.conversation.member(change.actor_id);
  if (!actor || message.seq < actor->joined_seq) {
    return refuse(Refusal::forbidden, "not a member of this message's conversation", why);
  }
  if (message.kind != store::EntryKind::text) return refuse(Refusal::invalid_argument, "system messages cannot be changed", why);
  switch (change.action) {
    case MessageAction::remove: {
      if (message.deleted) return MessageEffect::unchanged;
      bool moderator = facts.conversation.kind == store::ConversationKind::group && actor->role != store::Role::member;
      if (message.sender_id != change.actor_id && !moderator) {
        return refuse(Refusal::forbidden, "only its sender, or a group's owner or admin, can delete a message", why);
      }
      return MessageEffect::apply;
    }
    case MessageAction::edit:
      if (message.deleted) return refuse(Refusal::conflict, "the message was deleted", why);
      if (message.sender_id != change.actor_id) return refuse(Refusal::forbidden, "only its sender can edit a message", why);
      if (rules.edit_window_ms > 0 && change.at_ms - message.created_at_ms > rules.edit_window_ms) {
        return refuse(Refusal::forbidden, "the time to edit this message has passed", why);
      }
      return message.content == change.text ? MessageEffect::unchanged : MessageEffect::apply;
    case MessageAction::add_reaction:
    case MessageAction::remove_reaction:
      if (message.deleted) return refuse(Refusal::conflict, "the message was deleted", why);
      return decide_reaction(message, change, rules, why);
  }
  return refuse(Refusal::invalid_argument, "unknown change", why);
}

}  // namespace parley::chat
