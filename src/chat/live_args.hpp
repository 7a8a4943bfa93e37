// The arguments of the live signals (docs/api.md "Live signals"): `typing` and `get_presence`,
// from the client's JSON text to a validated request or the error to answer. Pure, unit-tested
// (tests/unit/live_args_test.cpp) and fuzzed (tests/fuzz/fuzz_chat_args.cpp) like chat/args.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/args.hpp"

namespace parley::chat {

struct TypingRequest {
  std::int64_t conversation_id = 0;
  bool is_typing = false;
};

Parsed<TypingRequest> parse_typing(std::optional<std::string_view> arg);

inline constexpr std::size_t max_presence_ids = 200;

struct PresenceRequest {
  std::vector<std::string> user_ids;  // 1 to max_presence_ids, distinct, canonical
};
Parsed<PresenceRequest> parse_get_presence(std::optional<std::string_view> arg);

struct AppearOfflineRequest {
  bool appear_offline = false;
};
Parsed<AppearOfflineRequest> parse_set_presence(std::optional<std::string_view> arg);

}  // namespace parley::chat
