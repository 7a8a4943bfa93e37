// What the event parsers (chat/args, chat/conversation_args, chat/live_args, ...) share: the
// argument object, user ids, positive integers, the conversation id, the error they answer. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <simdjson.h>

#include "chat/chat_error.hpp"

namespace parley::chat {

// A user id value: a string id (is_user_id), or a JSON integer kept as its decimal text (the
// integer keys of another application's users). Canonical (UUIDs in lower case).
std::optional<std::string> user_id_value(const simdjson::dom::element& element);
std::optional<std::string> user_id_field(const simdjson::dom::object& object, std::string_view key);

// An optional positive integer field: nullopt when absent or null, -1 when present but invalid.
std::optional<std::int64_t> positive_field(const simdjson::dom::object& object, std::string_view key);

// An array of distinct user ids, 1 to max of them (else the error to answer).
std::variant<std::vector<std::string>, ChatError> user_ids_field(const simdjson::dom::object& object, std::string_view key,
                                                                 std::size_t max);

// The required `conversationId`: a positive integer (nullopt when absent or anything else).
std::optional<std::int64_t> conversation_id_field(const simdjson::dom::object& object);

// The event's argument as an object (nullopt: none given, or not an object).
std::optional<simdjson::dom::object> object_of(std::optional<std::string_view> arg);

// A message's `content`: non-blank text within max_length characters (else the error, TOO_LARGE
// for a long one), as send_message and edit_message take it.
std::variant<std::string_view, ChatError> message_content_field(const simdjson::dom::object& object, std::size_t max_length);

// The parsers' answer to a malformed argument.
inline ChatError invalid_argument(std::string message) { return ChatError{ErrorCode::invalid_argument, std::move(message)}; }

}  // namespace parley::chat
