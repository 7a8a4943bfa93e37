#include "chat/message_change_service.hpp"

#include <memory>

#include "chat/conversation_json.hpp"
#include "chat/log_json.hpp"
#include "chat/reply.hpp"
#include "sio/json.hpp"

namespace parley::chat {

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
// changes in seq order; only to the members who can see the message (it is from after their
// joining: a member added later is not shown an older message through its change).
void MessageChangeService::publish(const store::MessageChanged& changed) {
  const store::LogEntry& entry = *changed.entry;
  const store::LogEntry& message = changed.message;
  std::vector<std::string> audience;
  for (const auto& m : changed.state.members) {
    if (m.joined_seq <= message.seq) audience.push_back(m.user_id);
  }
  auto push = change_push(entry, message, changed.state);
  delivery_.to_users(audience, push.event, std::move(push.json));
  if (entry.kind != store::EntryKind::deletion) return;
  // The unread counts it changed: the members (but its sender) whose marker was below it.
  for (std::size_t i = 0; i < changed.state.members.size() && i < changed.unread_counts.size(); ++i) {
    const auto& m = changed.state.members[i];
    if (m.user_id == message.sender_id || m.read_seq >= message.seq || m.joined_seq > message.seq) continue;
    delivery_.to_user(m.user_id, "unread_updated",
                      unread_updated_json(entry.conversation_id, changed.unread_counts[i], m.read_seq));
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
