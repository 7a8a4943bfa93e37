// The arguments of the events that change messages (docs/api.md "Changing messages"):
// edit_message, delete_message, get_message_history, add_reaction, remove_reaction. Pure,
// unit-tested (tests/unit/message_change_args_test.cpp) and fuzzed (tests/fuzz/fuzz_chat_args.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chat/args.hpp"

namespace parley::chat {

struct EditRequest {
  std::int64_t message_id = 0;
  std::string content;  // valid as send_message's
};

struct MessageRef {
  std::int64_t message_id = 0;
};

struct ReactionRequest {
  std::int64_t message_id = 0;
  std::string emoji;  // chat/emoji's is_reaction_emoji
};

Parsed<EditRequest> parse_edit_message(std::optional<std::string_view> arg, const ArgLimits& limits);
Parsed<MessageRef> parse_message_ref(std::optional<std::string_view> arg);
Parsed<ReactionRequest> parse_reaction(std::optional<std::string_view> arg);

}  // namespace parley::chat
