#include "chat/conversation_json.hpp"

#include "sio/json.hpp"

namespace parley::chat {

using sio::json::append_string;

void append_entry(std::string& out, const store::LogEntry& e, const Party* receiver) {
  out += "{\"id\":";
  out += std::to_string(e.id);
  out += ",\"content\":";
  append_string(out, e.content);
  out += ",\"senderId\":";
  append_string(out, e.sender_id);
  out += ",\"senderName\":";
  append_string(out, e.sender_name);
  if (receiver) {
    out += ",\"receiverId\":";
    append_string(out, receiver->id);
    out += ",\"receiverName\":";
    append_string(out, receiver->name);
  } else {
    out += ",\"receiverId\":null,\"receiverName\":null";
  }
  out += ",\"createdAt\":\"";
  out += iso8601_utc(e.created_at_ms);
  out += '"';
  if (!e.client_message_id.empty()) {
    out += ",\"clientMessageId\":";
    append_string(out, e.client_message_id);
  }
  out += ",\"conversationId\":";
  out += std::to_string(e.conversation_id);
  out += ",\"seq\":";
  out += std::to_string(e.seq);
  if (e.kind == store::EntryKind::system) {
    out += ",\"kind\":\"system\",\"system\":";
    out += e.system_json.empty() ? std::string("null") : e.system_json;  // stored as we wrote it
  } else {
    out += ",\"kind\":\"text\"";
  }
  if (e.reply_to_id) {
    out += ",\"replyToId\":";
    out += std::to_string(e.reply_to_id);
  }
  if (e.edited_at_ms) {
    out += ",\"editedAt\":\"";
    out += iso8601_utc(e.edited_at_ms);
    out += '"';
  }
  if (e.deleted) out += ",\"deleted\":true";
  out += ",\"attachments\":[],\"reactions\":";
  append_reactions(out, e.reactions);
  out += '}';
}

void append_reactions(std::string& out, const std::vector<store::Reaction>& reactions) {
  out += '[';
  for (std::size_t i = 0; i < reactions.size(); ++i) {
    if (i) out += ',';
    out += "{\"emoji\":";
    append_string(out, reactions[i].emoji);
    out += ",\"userIds\":[";
    for (std::size_t j = 0; j < reactions[i].user_ids.size(); ++j) {
      if (j) out += ',';
      append_string(out, reactions[i].user_ids[j]);
    }
    out += "]}";
  }
  out += ']';
}

const store::Member* direct_receiver(const store::ConversationState& state, const std::string& sender_id) {
  if (state.kind != store::ConversationKind::direct) return nullptr;
  for (const auto& m : state.members) {
    if (m.user_id != sender_id) return &m;
  }
  return state.members.empty() ? nullptr : &state.members.front();
}

void append_conversation(std::string& out, const store::ConversationView& view) {
  const auto& s = view.state;
  bool direct = s.kind == store::ConversationKind::direct;
  out += "{\"id\":";
  out += std::to_string(s.id);
  out += direct ? ",\"kind\":\"direct\",\"title\":" : ",\"kind\":\"group\",\"title\":";
  if (!direct && s.title) {
    append_string(out, *s.title);
  } else {
    out += "null";
  }
  out += ",\"members\":[";
  for (std::size_t i = 0; i < s.members.size(); ++i) {
    const auto& m = s.members[i];
    if (i) out += ',';
    out += "{\"id\":";
    append_string(out, m.user_id);
    out += ",\"name\":";
    append_string(out, m.name);
    out += ",\"role\":\"";
    out += store::to_string(m.role);
    out += "\"}";
  }
  out += "],\"createdAt\":\"";
  out += iso8601_utc(s.created_at_ms);
  out += "\",\"lastSeq\":";
  out += std::to_string(s.last_seq);
  out += ",\"lastMessage\":";
  if (view.last_message) {
    const store::Member* receiver = direct_receiver(s, view.last_message->sender_id);
    Party party{receiver ? std::string_view(receiver->user_id) : "", receiver ? std::string_view(receiver->name) : ""};
    append_entry(out, *view.last_message, receiver ? &party : nullptr);
  } else {
    out += "null";
  }
  out += ",\"unreadCount\":";
  out += std::to_string(view.unread_count);
  out += ",\"lastReadSeq\":";
  out += std::to_string(view.last_read_seq);
  out += ",\"myRole\":\"";
  out += store::to_string(view.my_role);
  out += "\"}";
}

std::string unread_updated_json(std::int64_t conversation_id, std::int64_t unread_count, std::int64_t last_read_seq) {
  return "{\"conversationId\":" + std::to_string(conversation_id) + ",\"unreadCount\":" + std::to_string(unread_count) +
         ",\"lastReadSeq\":" + std::to_string(last_read_seq) + "}";
}

std::string receipt_json(std::int64_t conversation_id, const std::string& user_id, std::int64_t seq,
                         store::Marker marker, std::int64_t at_ms) {
  std::string out = "{\"conversationId\":" + std::to_string(conversation_id) + ",\"userId\":";
  append_string(out, user_id);
  out += ",\"seq\":" + std::to_string(seq);
  out += marker == store::Marker::read ? ",\"readAt\":\"" : ",\"deliveredAt\":\"";
  out += iso8601_utc(at_ms);
  out += "\"}";
  return out;
}

std::string conversation_removed_json(std::int64_t conversation_id) {
  return "{\"conversationId\":" + std::to_string(conversation_id) + "}";
}

}  // namespace parley::chat
