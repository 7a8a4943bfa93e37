// The arguments of the chat's events, from the client's JSON text to a validated request or the
// error to answer: pure functions (no I/O, no state), so that they can be unit-tested and
// fuzzed on their own (tests/unit/chat_args_test.cpp, tests/fuzz/fuzz_chat_args.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "chat/chat_error.hpp"

namespace parley::chat {

struct ArgLimits {
  std::size_t max_message_length = 5000;  // characters
  std::size_t default_page = 100;         // get_messages without `limit`
  std::size_t max_page = 200;             // the largest `limit`
};

struct SendRequest {
  std::int64_t conversation_id = 0;  // when non-zero: the conversationId form (receiver_id empty)
  std::string receiver_id;        // canonical (canonical_user_id)
  std::string content;            // valid, non-blank, within the length
  std::string client_message_id;  // empty: none
  std::int64_t reply_to_id = 0;   // replyToId (0: none)
};

struct HistoryRequest {
  std::int64_t conversation_id = 0;  // when non-zero: the conversationId form (other_user_id empty)
  std::string other_user_id;  // canonical
  std::optional<std::int64_t> before;  // a seq (exclusive)
  std::size_t limit = 0;      // the page size: `limit`, or the default page
};

template <class Request>
using Parsed = std::variant<Request, ChatError>;

// `first_argument` is the raw JSON text of the event's first argument (nullopt: none given).
Parsed<SendRequest> parse_send_message(std::optional<std::string_view> first_argument, const ArgLimits& limits);
Parsed<HistoryRequest> parse_get_messages(std::optional<std::string_view> first_argument, const ArgLimits& limits);

// The `token` string of a CONNECT auth object ("" when there is none).
std::string token_of_auth(std::string_view auth_json);

}  // namespace parley::chat
