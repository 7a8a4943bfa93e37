#include "chat/conversation_args.hpp"

#include <charconv>
#include <set>

#include "chat/arg_fields.hpp"
#include "chat/json_args.hpp"
#include "chat/validation.hpp"

namespace parley::chat {

namespace {

// A title: non-blank text of at most max characters.
std::variant<std::string, ChatError> title_field(const simdjson::dom::object& object, const ConversationLimits& limits) {
  auto title = string_field(object, "title");
  if (!title || is_blank(*title)) return invalid_argument("Invalid title");
  if (count_characters(*title) > limits.max_title_length) {
    return invalid_argument("Title too long (max " + std::to_string(limits.max_title_length) + " characters)");
  }
  return std::string(*title);
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string encode_cursor(std::pair<std::int64_t, std::int64_t> position) {
  return std::to_string(position.first) + "." + std::to_string(position.second);
}

std::optional<std::pair<std::int64_t, std::int64_t>> decode_cursor(std::string_view cursor) {
  auto dot = cursor.find('.');
  if (dot == std::string_view::npos || cursor.size() > 41) return std::nullopt;
  auto at = parse_int(cursor.substr(0, dot));
  auto id = parse_int(cursor.substr(dot + 1));
  if (!at || !id || *at < 0 || *id <= 0) return std::nullopt;
  return std::pair{*at, *id};
}

Parsed<CreateGroupRequest> parse_create_conversation(std::optional<std::string_view> arg, const ConversationLimits& limits) {
  auto data = object_of(arg);
  if (!data) return invalid_argument("Invalid title");
  CreateGroupRequest request;
  auto title = title_field(*data, limits);
  if (auto* error = std::get_if<ChatError>(&title)) return *error;
  request.title = std::get<std::string>(std::move(title));
  auto ids = user_ids_field(*data, "memberIds", limits.max_group_members);
  if (auto* error = std::get_if<ChatError>(&ids)) return *error;
  request.member_ids = std::get<std::vector<std::string>>(std::move(ids));
  return request;
}

Parsed<ListRequestArgs> parse_list_conversations(std::optional<std::string_view> arg, const ConversationLimits& limits) {
  ListRequestArgs request;
  request.limit = limits.default_list_page;
  if (!arg) return request;  // no argument: the first page
  auto data = parse_object(*arg);
  if (!data) return invalid_argument("Invalid arguments");
  if (auto before = present_field(*data, "before")) {
    std::string_view text;
    if (before->get(text)) return invalid_argument("Invalid before");
    request.after = decode_cursor(text);
    if (!request.after) return invalid_argument("Invalid before");
  }
  auto limit = positive_field(*data, "limit");
  if (limit == -1 || (limit && static_cast<std::size_t>(*limit) > limits.max_list_page)) {
    return invalid_argument("Invalid limit (1 to " + std::to_string(limits.max_list_page) + ")");
  }
  if (limit) request.limit = static_cast<std::size_t>(*limit);
  return request;
}

Parsed<ConversationRequest> parse_conversation_request(std::optional<std::string_view> arg) {
  auto data = object_of(arg);
  auto id = data ? conversation_id_field(*data) : std::nullopt;
  if (!id) return invalid_argument("Invalid conversationId");
  return ConversationRequest{*id};
}

Parsed<RenameRequest> parse_update_conversation(std::optional<std::string_view> arg, const ConversationLimits& limits) {
  auto data = object_of(arg);
  auto id = data ? conversation_id_field(*data) : std::nullopt;
  if (!id) return invalid_argument("Invalid conversationId");
  auto title = title_field(*data, limits);
  if (auto* error = std::get_if<ChatError>(&title)) return *error;
  return RenameRequest{*id, std::get<std::string>(std::move(title))};
}

Parsed<AddMembersRequest> parse_add_members(std::optional<std::string_view> arg, const ConversationLimits& limits) {
  auto data = object_of(arg);
  auto id = data ? conversation_id_field(*data) : std::nullopt;
  if (!id) return invalid_argument("Invalid conversationId");
  auto ids = user_ids_field(*data, "userIds", limits.max_group_members);
  if (auto* error = std::get_if<ChatError>(&ids)) return *error;
  return AddMembersRequest{*id, std::get<std::vector<std::string>>(std::move(ids))};
}

Parsed<MemberRequest> parse_remove_member(std::optional<std::string_view> arg) {
  auto data = object_of(arg);
  auto id = data ? conversation_id_field(*data) : std::nullopt;
  if (!id) return invalid_argument("Invalid conversationId");
  auto user = user_id_field(*data, "userId");
  if (!user) return invalid_argument("Invalid userId");
  return MemberRequest{*id, std::move(*user)};
}

Parsed<MemberRequest> parse_set_role(std::optional<std::string_view> arg) {
  auto parsed = parse_remove_member(arg);
  if (std::holds_alternative<ChatError>(parsed)) return parsed;
  auto data = parse_object(*arg);  // valid: parse_remove_member read it (this thread's parser again)
  auto role_text = string_field(*data, "role");
  auto role = role_text ? store::role_from_string(*role_text) : std::nullopt;
  if (!role) return invalid_argument("Invalid role (owner, admin or member)");
  auto& request = std::get<MemberRequest>(parsed);
  request.role = *role;
  return parsed;
}

Parsed<MarkArgs> parse_mark(std::optional<std::string_view> arg) {
  auto data = object_of(arg);
  auto id = data ? conversation_id_field(*data) : std::nullopt;
  if (!id) return invalid_argument("Invalid conversationId");
  auto element = present_field(*data, "seq");
  std::int64_t seq = -1;
  if (!element || element->get(seq) || seq < 0) return invalid_argument("Invalid seq");
  return MarkArgs{*id, seq};
}

}  // namespace parley::chat
