#include "chat/message_change_args.hpp"

#include "chat/arg_fields.hpp"
#include "chat/emoji.hpp"
#include "chat/json_args.hpp"

namespace parley::chat {

namespace {

std::optional<std::int64_t> message_id_field(const simdjson::dom::object& object) {
  auto id = positive_field(object, "messageId");
  if (!id || *id <= 0) return std::nullopt;
  return id;
}

}  // namespace

Parsed<EditRequest> parse_edit_message(std::optional<std::string_view> arg, const ArgLimits& limits) {
  auto data = object_of(arg);
  auto id = data ? message_id_field(*data) : std::nullopt;
  if (!id) return invalid_argument("Invalid messageId");
  auto content = message_content_field(*data, limits.max_message_length);
  if (auto* error = std::get_if<ChatError>(&content)) return *error;
  return EditRequest{*id, std::string(std::get<std::string_view>(content))};
}

Parsed<MessageRef> parse_message_ref(std::optional<std::string_view> arg) {
  auto data = object_of(arg);
  auto id = data ? message_id_field(*data) : std::nullopt;
  if (!id) return invalid_argument("Invalid messageId");
  return MessageRef{*id};
}

Parsed<ReactionRequest> parse_reaction(std::optional<std::string_view> arg) {
  auto data = object_of(arg);
  auto id = data ? message_id_field(*data) : std::nullopt;
  if (!id) return invalid_argument("Invalid messageId");
  auto emoji = string_field(*data, "emoji");
  if (!emoji || !is_reaction_emoji(*emoji)) {
    return invalid_argument("Invalid emoji: one emoji, or a short name such as :thumbsup:");
  }
  return ReactionRequest{*id, std::string(*emoji)};
}

}  // namespace parley::chat
