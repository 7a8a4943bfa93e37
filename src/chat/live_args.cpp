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

Parsed<PresenceRequest> parse_get_presence(std::optional<std::string_view> arg) {
  auto data = object_of(arg);
  if (!data) return invalid_argument("Invalid userIds");
  auto ids = user_ids_field(*data, "userIds", max_presence_ids);
  if (auto* error = std::get_if<ChatError>(&ids)) return *error;
  return PresenceRequest{std::get<std::vector<std::string>>(std::move(ids))};
}

Parsed<AppearOfflineRequest> parse_set_presence(std::optional<std::string_view> arg) {
  auto data = object_of(arg);
  bool hidden = false;
  if (!data || (*data)["appearOffline"].get(hidden)) return invalid_argument("Invalid appearOffline: expected true or false");
  return AppearOfflineRequest{hidden};
}

}  // namespace parley::chat
