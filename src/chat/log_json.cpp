#include "chat/log_json.hpp"

#include "chat/conversation_json.hpp"
#include "chat/message_json.hpp"
#include "sio/json.hpp"

namespace parley::chat {

namespace {

std::string head(std::int64_t conversation_id, std::int64_t seq) {
  return "{\"conversationId\":" + std::to_string(conversation_id) + ",\"seq\":" + std::to_string(seq);
}

void append_event(std::string& out, std::string_view type, std::int64_t seq, std::string_view data) {
  out += "{\"type\":\"";
  out += type;
  out += "\",\"seq\":" + std::to_string(seq) + ",\"data\":";
  out += data;
  out += '}';
}

}  // namespace

void append_message_of(std::string& out, const store::LogEntry& message, const store::ConversationState& state) {
  const store::Member* receiver = direct_receiver(state, message.sender_id);
  Party party{receiver ? std::string_view(receiver->user_id) : "", receiver ? std::string_view(receiver->name) : ""};
  append_entry(out, message, receiver ? &party : nullptr);
}

Push change_push(const store::LogEntry& entry, const store::LogEntry& message, const store::ConversationState& state) {
  std::string json = head(entry.conversation_id, entry.seq);
  switch (entry.kind) {
    case store::EntryKind::edit:
      json += ",\"message\":";
      append_message_of(json, message, state);
      json += '}';
      return {"message_updated", std::move(json)};
    case store::EntryKind::deletion:
      json += ",\"messageId\":" + std::to_string(message.id) + ",\"deletedBy\":";
      sio::json::append_string(json, entry.sender_id);
      json += ",\"deletedAt\":\"" + iso8601_utc(entry.created_at_ms) + "\"}";
      return {"message_deleted", std::move(json)};
    default:
      json += ",\"messageId\":" + std::to_string(message.id) + ",\"reactions\":";
      append_reactions(json, message.reactions);
      json += '}';
      return {"reaction_updated", std::move(json)};
  }
}

void append_synced(std::string& out, const store::SyncedConversation& synced) {
  const auto& state = synced.view.state;
  std::int64_t last_system = -1;  // the index of the last system message
  for (std::size_t i = 0; i < synced.entries.size(); ++i) {
    if (synced.entries[i].kind == store::EntryKind::system) last_system = static_cast<std::int64_t>(i);
  }
  out += "{\"conversationId\":" + std::to_string(state.id) + ",\"events\":[";
  bool first = true;
  auto next = [&] {
    if (!first) out += ',';
    first = false;
  };
  for (std::size_t i = 0; i < synced.entries.size(); ++i) {
    const auto& entry = synced.entries[i];
    if (store::is_message(entry.kind)) {
      std::string data;
      append_message_of(data, entry, state);
      next();
      append_event(out, "receive_message", entry.seq, data);
    } else if (auto changed = synced.changed.find(entry.target_id); changed != synced.changed.end()) {
      auto push = change_push(entry, changed->second, state);
      next();
      append_event(out, push.event, entry.seq, push.json);
    }
    if (static_cast<std::int64_t>(i) == last_system) {
      std::string data = "{\"conversation\":";
      append_conversation(data, synced.view);
      data += '}';
      next();
      append_event(out, "conversation_updated", entry.seq, data);
    }
  }
  out += "],\"limited\":";
  out += synced.limited ? "true" : "false";
  out += ",\"lastSeq\":" + std::to_string(state.last_seq) + ",\"unreadCount\":" + std::to_string(synced.view.unread_count) +
         ",\"lastReadSeq\":" + std::to_string(synced.view.last_read_seq) + ",\"conversation\":";
  append_conversation(out, synced.view);
  out += '}';
}

}  // namespace parley::chat
