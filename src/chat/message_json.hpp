// The JSON the chat sends: messages in the seed's `receive_message` shape, errors, acks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

// {"message":"..."}
std::string error_object(std::string_view message);
// {"success":false,"error":"..."}
std::string failure_ack(std::string_view message);

}  // namespace parley::chat
