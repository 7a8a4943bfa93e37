// Fields shared by the event parsers (chat/args, chat/conversation_args): user ids, positive
// integers. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace parley::chat {

// A user id value: a string id (is_user_id), or a JSON integer kept as its decimal text (the
// integer keys of another application's users). Canonical (UUIDs in lower case).
std::optional<std::string> user_id_value(const simdjson::dom::element& element);
std::optional<std::string> user_id_field(const simdjson::dom::object& object, std::string_view key);

// An optional positive integer field: nullopt when absent or null, -1 when present but invalid.
std::optional<std::int64_t> positive_field(const simdjson::dom::object& object, std::string_view key);

}  // namespace parley::chat
