// The arguments of `sync` (docs/api.md "Catching up"), from the client's JSON text to a
// validated request or the error to answer. Pure, unit-tested (tests/unit/sync_args_test.cpp)
// and fuzzed (tests/fuzz/fuzz_chat_args.cpp) like chat/args.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chat/args.hpp"

namespace parley::chat {

struct SyncLimits {
  std::size_t default_limit = 100;  // entries per conversation
  std::size_t max_limit = 200;
  std::size_t max_known = 10'000;  // conversations a client may name
  // A page ends after this many conversations, or after the conversation that brings its
  // entries to entries_per_page.
  std::size_t conversations_per_page = 50;
  std::size_t entries_per_page = 2000;
};

struct SyncArgs {
  std::unordered_map<std::int64_t, std::int64_t> known;  // conversation id -> the last seq the client has
  std::size_t limit = 100;
  std::int64_t after = 0;  // from `before`: the page after this conversation id
};

Parsed<SyncArgs> parse_sync(std::optional<std::string_view> arg, const SyncLimits& limits);

// sync's nextCursor: opaque to clients (the last conversation id of the page, in base 10).
std::string encode_sync_cursor(std::int64_t after);
std::optional<std::int64_t> decode_sync_cursor(std::string_view cursor);

}  // namespace parley::chat
