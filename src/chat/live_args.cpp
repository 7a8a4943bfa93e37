#include "chat/live_args.hpp"

#include "chat/arg_fields.hpp"
#include "chat/json_args.hpp"

namespace parley::chat {

Parsed<TypingRequest> parse_typing(std::optional<std::string_view> arg) {
  auto data = object_of(arg);
  if (!data) return invalid_argument("Invalid typing: expected {conversationId, isTyping}");
  auto id = conversation_id_field(*data);
  if (!id) return invalid_argument("Invalid conversationId");
  bool is_typing = false;
  if ((*data)["isTyping"].get(is_typing)) return invalid_argument("Invalid isTyping: expected true or false");
  return TypingRequest{*id, is_typing};
}

}  // namespace parley::chat
