#include "chat/args.hpp"

#include <set>

#include "chat/arg_fields.hpp"
#include "chat/json_args.hpp"
#include "chat/validation.hpp"

namespace parley::chat {

std::optional<std::string> user_id_value(const simdjson::dom::element& element) {
  switch (element.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view text = element.get_string().value_unsafe();
      if (!is_user_id(text)) return std::nullopt;
      return canonical_user_id(text);
    }
    case simdjson::dom::element_type::INT64: return std::to_string(element.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64: return std::to_string(element.get_uint64().value_unsafe());
    default: return std::nullopt;
  }
}

std::optional<std::string> user_id_field(const simdjson::dom::object& object, std::string_view key) {
  simdjson::dom::element element;
  if (object[key].get(element)) return std::nullopt;
  return user_id_value(element);
}

std::optional<std::int64_t> conversation_id_field(const simdjson::dom::object& object) {
  auto id = positive_field(object, "conversationId");
  if (!id || *id <= 0) return std::nullopt;
  return id;
}

std::variant<std::string_view, ChatError> message_content_field(const simdjson::dom::object& object, std::size_t max_length) {
  auto content = string_field(object, "content");
  if (!content || is_blank(*content)) return invalid_argument("Message content cannot be empty");
  if (auto error = content_error(*content, max_length)) return ChatError{ErrorCode::too_large, *error};
  return *content;
}

// An array of distinct user ids, 1 to max of them.
std::variant<std::vector<std::string>, ChatError> user_ids_field(const simdjson::dom::object& object, std::string_view key,
                                                                 std::size_t max) {
  std::string message = "Invalid " + std::string(key);
  simdjson::dom::array array;
  if (object[key].get(array)) return invalid_argument(message);
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (auto element : array) {
    auto id = user_id_value(element);
    if (!id) return invalid_argument(message);
    if (!seen.insert(*id).second) return invalid_argument(message + ": duplicate " + *id);
    ids.push_back(std::move(*id));
    if (ids.size() > max) return invalid_argument("Too many " + std::string(key) + " (max " + std::to_string(max) + ")");
  }
  if (ids.empty()) return invalid_argument(message);
  return ids;
}

std::optional<simdjson::dom::object> object_of(std::optional<std::string_view> arg) {
  return arg ? parse_object(*arg) : std::nullopt;
}

std::optional<std::int64_t> positive_field(const simdjson::dom::object& object, std::string_view key) {
  auto element = present_field(object, key);
  if (!element) return std::nullopt;
  std::int64_t value;
  if (element->get(value) || value <= 0) return -1;
  return value;
}

Parsed<SendRequest> parse_send_message(std::optional<std::string_view> first_argument, const ArgLimits& limits) {
  auto data = first_argument ? parse_object(*first_argument) : std::nullopt;
  if (!data) return invalid_argument("Invalid receiverId");
  SendRequest request;
  if (present_field(*data, "conversationId")) {
    auto id = positive_field(*data, "conversationId");
    if (!id || *id < 0) return invalid_argument("Invalid conversationId");
    request.conversation_id = *id;
  } else {
    auto receiver_id = user_id_field(*data, "receiverId");
    if (!receiver_id) return invalid_argument("Invalid receiverId");
    request.receiver_id = std::move(*receiver_id);
  }
  auto content = message_content_field(*data, limits.max_message_length);
  if (auto* error = std::get_if<ChatError>(&content)) return *error;
  request.content = std::get<std::string_view>(content);
  if (auto key = present_field(*data, "clientMessageId")) {
    std::string_view text;
    if (key->get(text) || !is_client_message_id(text)) return invalid_argument("Invalid clientMessageId");
    request.client_message_id = text;
  }
  if (auto reply = positive_field(*data, "replyToId")) {
    if (*reply <= 0) return invalid_argument("Invalid replyToId");
    request.reply_to_id = *reply;
  }
  return request;
}

Parsed<HistoryRequest> parse_get_messages(std::optional<std::string_view> first_argument, const ArgLimits& limits) {
  auto data = first_argument ? parse_object(*first_argument) : std::nullopt;
  if (!data) return invalid_argument("Invalid otherUserId");
  HistoryRequest request;
  if (present_field(*data, "conversationId")) {
    auto id = positive_field(*data, "conversationId");
    if (!id || *id < 0) return invalid_argument("Invalid conversationId");
    request.conversation_id = *id;
  } else {
    auto other_id = user_id_field(*data, "otherUserId");
    if (!other_id) return invalid_argument("Invalid otherUserId");
    request.other_user_id = std::move(*other_id);
  }
  request.before = positive_field(*data, "before");
  if (request.before == -1) return invalid_argument("Invalid before");
  auto limit = positive_field(*data, "limit");
  if (limit == -1 || (limit && static_cast<std::size_t>(*limit) > limits.max_page)) {
    return invalid_argument("Invalid limit (1 to " + std::to_string(limits.max_page) + ")");
  }
  request.limit = limit ? static_cast<std::size_t>(*limit) : limits.default_page;
  return request;
}

std::string token_of_auth(std::string_view auth_json) {
  auto auth = parse_object(auth_json);
  if (!auth) return {};
  return std::string(string_field(*auth, "token").value_or(""));
}

}  // namespace parley::chat
