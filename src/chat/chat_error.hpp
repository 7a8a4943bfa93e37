// A failure the chat answers to one client: the seed's sentence (clients match on it), the
// machine-readable code of docs/api.md, and for RATE_LIMITED how long to wait. The gateway sends
// it as the failed ack {success: false, error, code} and as the `error` event {message, code,
// event} (message_json.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::chat {

enum class ErrorCode {
  invalid_argument,  // the request is malformed: a field missing, of the wrong type or out of range
  unauthorized,      // no valid token (or it expired)
  forbidden,         // valid, but not allowed to do this
  not_found,         // a user (or, later, a conversation or message) that does not exist
  conflict,          // contradicts what is stored (a clientMessageId used for another message)
  too_large,         // content beyond the configured length
  rate_limited,      // too many requests: retry after retry_after_ms
  unavailable,       // the database cannot be reached: nothing was stored, retrying is safe
};

// "INVALID_ARGUMENT", "UNAUTHORIZED", ...
std::string_view code_name(ErrorCode code);

struct ChatError {
  ErrorCode code = ErrorCode::invalid_argument;
  std::string message;
  std::int64_t retry_after_ms = 0;  // RATE_LIMITED only
};

}  // namespace parley::chat
