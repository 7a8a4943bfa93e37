#include "chat/chat_error.hpp"

namespace parley::chat {

std::string_view code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "INVALID_ARGUMENT";
    case ErrorCode::unauthorized: return "UNAUTHORIZED";
    case ErrorCode::forbidden: return "FORBIDDEN";
    case ErrorCode::not_found: return "NOT_FOUND";
    case ErrorCode::conflict: return "CONFLICT";
    case ErrorCode::too_large: return "TOO_LARGE";
    case ErrorCode::rate_limited: return "RATE_LIMITED";
    case ErrorCode::unavailable: return "UNAVAILABLE";
  }
  return "UNAVAILABLE";
}

}  // namespace parley::chat
