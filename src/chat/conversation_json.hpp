// The JSON of conversations and log entries (docs/api.md "Objects"), and of the read-state
// pushes: pure encoders.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chat/message_json.hpp"
#include "store/conversations.hpp"

namespace parley::chat {

// A Message object: the seed's fields (receiverId/receiverName null when `receiver` is null:
// group messages), then conversationId, seq, kind, `system` (system entries: the stored JSON),
// replyToId, editedAt and deleted (when so), attachments and reactions.
void append_entry(std::string& out, const store::LogEntry& entry, const Party* receiver);
// [{"emoji":..,"userIds":[..]},..]
void append_reactions(std::string& out, const std::vector<store::Reaction>& reactions);

// The receiver of a direct conversation's entry: its member other than the sender (the sender
// itself in a conversation with oneself). Null for groups.
const store::Member* direct_receiver(const store::ConversationState& state, const std::string& sender_id);

// A Conversation object as `view` sees it.
void append_conversation(std::string& out, const store::ConversationView& view);

// {"conversationId":..,"unreadCount":..,"lastReadSeq":..}
std::string unread_updated_json(std::int64_t conversation_id, std::int64_t unread_count, std::int64_t last_read_seq);
// {"conversationId":..,"userId":..,"seq":..,"readAt"|"deliveredAt":..}
std::string receipt_json(std::int64_t conversation_id, const std::string& user_id, std::int64_t seq,
                         store::Marker marker, std::int64_t at_ms);
// {"conversationId":..}
std::string conversation_removed_json(std::int64_t conversation_id);

}  // namespace parley::chat
