#include "chat/message_change_service.hpp"

#include <memory>

#include "chat/conversation_json.hpp"
#include "chat/reply.hpp"
#include "sio/json.hpp"

namespace parley::chat {

namespace {

std::string head(std::int64_t conversation_id, std::int64_t seq) {
  return "{\"conversationId\":" + std::to_string(conversation_id) + ",\"seq\":" + std::to_string(seq);
}

}  // namespace

void append_message_of(std::string& out, const store::LogEntry& message, const store::ConversationState& state) {
  const store::Member* receiver = direct_receiver(state, message.sender_id);
  Party party{receiver ? std::string_view(receiver->user_id) : "", receiver ? std::string_view(receiver->name) : ""};
  append_entry(out, message, receiver ? &party : nullptr);
}

void MessageChangeService::edit(const std::string& actor, EditRequest request, Then<store::MessageChanged> done) {
  change(store::MessageChange{request.message_id, actor, store::MessageAction::edit, std::move(request.content), now_ms()},
         std::move(done));
}

void MessageChangeService::remove(const std::string& actor, MessageRef request, Then<store::MessageChanged> done) {
  change(store::MessageChange{request.message_id, actor, store::MessageAction::remove, {}, now_ms()}, std::move(done));
}

void MessageChangeService::react(const std::string& actor, ReactionRequest request, bool add,
                                 Then<store::MessageChanged> done) {
  auto action = add ? store::MessageAction::add_reaction : store::MessageAction::remove_reaction;
  change(store::MessageChange{request.message_id, actor, action, std::move(request.emoji), now_ms()}, std::move(done));
}

// The rule runs in the store's transaction; the sentence it gives for a refusal is written there
// and read here once the store has answered (after the transaction, so no race).
void MessageChangeService::change(store::MessageChange change, Then<store::MessageChanged> done) {
  auto why = std::make_shared<std::string>();
  MessageRules rules = rules_;
  store::DecideMessageChange decide = [change, rules, why](const store::MessageFacts& facts) {
    return decide_message_change(facts, change, rules, why.get());
  };
  store_.change_message(std::move(change), std::move(decide),
                        [this, why, done = std::move(done)](store::Result<store::MessageChanged> result) mutable {
    auto* changed = std::get_if<store::MessageChanged>(&result);
    if (!changed) {
      auto& failure = std::get<store::Failure>(result);
      if (failure.refusal && !why->empty()) failure.message = *why;
      if (failure.refusal == store::Refusal::not_found) failure.message = "message not found";
      return done(store_error(failure, "Failed to change the message"));
    }
    if (changed->entry) publish(*changed);
    done(std::move(*changed));
  });
}

// Pushed in the store's commit order (the callback runs in it), so that members see a message's
// changes in seq order.
void MessageChangeService::publish(const store::MessageChanged& changed) {
  const store::LogEntry& entry = *changed.entry;
  const store::LogEntry& message = changed.message;
  auto audience = changed.state.member_ids();
  std::string json = head(entry.conversation_id, entry.seq);
  switch (entry.kind) {
    case store::EntryKind::edit:
      json += ",\"message\":";
      append_message_of(json, message, changed.state);
      json += '}';
      delivery_.to_users(audience, "message_updated", std::move(json));
      break;
    case store::EntryKind::deletion: {
      json += ",\"messageId\":" + std::to_string(message.id) + ",\"deletedBy\":";
      sio::json::append_string(json, entry.sender_id);
      json += ",\"deletedAt\":\"" + iso8601_utc(entry.created_at_ms) + "\"}";
      delivery_.to_users(audience, "message_deleted", std::move(json));
      // The unread counts it changed: the members (but its sender) whose marker was below it.
      for (std::size_t i = 0; i < changed.state.members.size() && i < changed.unread_counts.size(); ++i) {
        const auto& m = changed.state.members[i];
        if (m.user_id == message.sender_id || m.read_seq >= message.seq) continue;
        delivery_.to_user(m.user_id, "unread_updated",
                          unread_updated_json(entry.conversation_id, changed.unread_counts[i], m.read_seq));
      }
      break;
    }
    default:
      json += ",\"messageId\":" + std::to_string(message.id) + ",\"reactions\":";
      append_reactions(json, message.reactions);
      json += '}';
      delivery_.to_users(audience, "reaction_updated", std::move(json));
      break;
  }
}

void MessageChangeService::history(const std::string& reader, MessageRef request, Then<store::MessageHistory> done) {
  store_.message_history(request.message_id, reader, [done = std::move(done)](store::Result<store::MessageHistory> result) {
    if (auto* failure = store::failed(result)) {
      store::Failure answer = *failure;
      if (answer.refusal == store::Refusal::not_found) answer.message = "message not found";
      if (answer.refusal == store::Refusal::forbidden) answer.message = "not a member of this message's conversation";
      return done(store_error(answer, "Failed to load the message's history"));
    }
    done(std::get<store::MessageHistory>(std::move(result)));
  });
}

}  // namespace parley::chat
