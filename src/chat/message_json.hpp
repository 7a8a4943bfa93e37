// The JSON the chat sends: messages in the seed's `receive_message` shape, errors, acks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "chat/chat_error.hpp"
#include "store/store.hpp"

namespace parley::chat {

// "2025-10-14T12:00:00.000Z" for milliseconds since the epoch.
std::string iso8601_utc(std::int64_t epoch_ms);

struct Party {
  std::string_view id;
  std::string_view name;
};

// {"id":..,"content":..,"senderId":..,"senderName":..,"receiverId":..,"receiverName":..,"createdAt":..}
void append_message(std::string& out, const store::Message& message, Party sender, Party receiver);

// The `error` event: {"message":"...","code":"..."} and, when the failure answers an event,
// "event":"<its name>"; RATE_LIMITED adds "retryAfterMs".
std::string error_event(const ChatError& error, std::string_view event = {});
// The failed ack: {"success":false,"error":"...","code":"..."} (+ "retryAfterMs").
std::string failure_ack(const ChatError& error);

}  // namespace parley::chat
