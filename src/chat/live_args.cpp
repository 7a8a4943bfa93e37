#include "chat/live_args.hpp"

#include "chat/arg_fields.hpp"
#include "chat/json_args.hpp"

namespace parley::chat {

namespace {

ChatError invalid(std::string message) { return ChatError{ErrorCode::invalid_argument, std::move(message)}; }

}  // namespace

Parsed<TypingRequest> parse_typing(std::optional<std::string_view> arg) {
  auto data = arg ? parse_object(*arg) : std::nullopt;
  if (!data) return invalid("Invalid typing: expected {conversationId, isTyping}");
  auto id = positive_field(*data, "conversationId");
  if (!id || *id <= 0) return invalid("Invalid conversationId");
  bool is_typing = false;
  if ((*data)["isTyping"].get(is_typing)) return invalid("Invalid isTyping: expected true or false");
  return TypingRequest{*id, is_typing};
}

}  // namespace parley::chat
