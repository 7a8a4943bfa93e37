// The JSON of log entries as the pushes they make (docs/api.md "Changing messages", "Catching
// up"): a message as its members see it, a change entry's push, and `sync`'s events. Pure
// encoders, shared by the live pushes and the catching up so that both say the same.
#pragma once

#include <string>
#include <string_view>

#include "store/conversations.hpp"

namespace parley::chat {

// The message as its members see it: receiverId/receiverName for a direct conversation's.
void append_message_of(std::string& out, const store::LogEntry& message, const store::ConversationState& state);

// The push of a change entry (an edit, deletion or reaction change) of `message` (as it is
// after it): message_updated {conversationId, seq, message}, message_deleted {conversationId,
// seq, messageId, deletedBy, deletedAt} or reaction_updated {conversationId, seq, messageId,
// reactions}.
struct Push {
  std::string_view event;
  std::string json;
};
Push change_push(const store::LogEntry& entry, const store::LogEntry& message, const store::ConversationState& state);

// One conversation of a sync answer: {conversationId, events, limited, lastSeq, unreadCount,
// lastReadSeq, conversation}. Each event is {type, seq, data} with the push it stands for; a
// system message is followed by conversation_updated {conversation} (after the last of them).
void append_synced(std::string& out, const store::SyncedConversation& synced);

}  // namespace parley::chat
