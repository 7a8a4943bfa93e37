// Who may change a message, and how: a pure function from the message as it is (with its
// reactions) and its conversation (locked by the store for the length of its transaction) to a
// store::MessageDecision. Runs on a store thread inside that transaction
// (store::DecideMessageChange), so it does no I/O.
//
// The rules (docs/api.md, "Changing messages"):
//   - only a current member who may see the message (joined at or before its seq) acts on it:
//     FORBIDDEN otherwise;
//   - system messages are never changed: INVALID_ARGUMENT;
//   - edit: the sender only (FORBIDDEN), within the edit window when there is one (FORBIDDEN
//     after it); the same text again changes nothing;
//   - delete: the sender, or an owner or admin of a group (FORBIDDEN otherwise); a message
//     already deleted changes nothing;
//   - a deleted message is not edited nor reacted to: CONFLICT;
//   - a reaction already there (or, removing, not there) changes nothing; at most
//     max_emojis different emojis on a message and max_per_user of one user's: CONFLICT beyond.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "store/conversations.hpp"

namespace parley::chat {

struct MessageRules {
  std::int64_t edit_window_ms = 0;  // 0: no limit (EDIT_WINDOW)
  std::size_t max_emojis = 20;      // different emojis on one message
  std::size_t max_per_user = 10;    // one user's reactions on one message
};

// Sets `*why` (when given) to a sentence for the client when it refuses.
store::MessageDecision decide_message_change(const store::MessageFacts& facts, const store::MessageChange& change,
                                             const MessageRules& rules, std::string* why = nullptr);

}  // namespace parley::chat
