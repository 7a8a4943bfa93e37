#include "chat/message_json.hpp"

#include <ctime>

#include "sio/json.hpp"

namespace parley::chat {

std::string iso8601_utc(std::int64_t epoch_ms) {
  std::int64_t seconds = epoch_ms / 1000;
  int millis = static_cast<int>(epoch_ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];  // room for any int the format could hold, so nothing is ever cut
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

void append_message(std::string& out, const store::Message& m, Party sender, Party receiver) {
  out += "{\"id\":";
  out += std::to_string(m.id);
  out += ",\"content\":";
  sio::json::append_string(out, m.content);
  out += ",\"senderId\":";
  sio::json::append_string(out, sender.id);
  out += ",\"senderName\":";
  sio::json::append_string(out, sender.name);
  out += ",\"receiverId\":";
  sio::json::append_string(out, receiver.id);
  out += ",\"receiverName\":";
  sio::json::append_string(out, receiver.name);
  out += ",\"createdAt\":\"";
  out += iso8601_utc(m.created_at_ms);
  out += '"';
  if (!m.client_message_id.empty()) {  // additive: the sender's clients match their pending sends by it
    out += ",\"clientMessageId\":";
    sio::json::append_string(out, m.client_message_id);
  }
  out += '}';
}

namespace {

void append_code(std::string& out, const ChatError& error) {
  out += ",\"code\":\"";
  out += code_name(error.code);
  out += '"';
  if (error.code == ErrorCode::rate_limited) {
    out += ",\"retryAfterMs\":";
    out += std::to_string(error.retry_after_ms);
  }
}

}  // namespace

std::string error_event(const ChatError& error, std::string_view event) {
  std::string out = "{\"message\":";
  sio::json::append_string(out, error.message);
  append_code(out, error);
  if (!event.empty()) {
    out += ",\"event\":";
    sio::json::append_string(out, event);
  }
  out += '}';
  return out;
}

std::string failure_ack(const ChatError& error) {
  std::string out = "{\"success\":false,\"error\":";
  sio::json::append_string(out, error.message);
  append_code(out, error);
  out += '}';
  return out;
}

}  // namespace parley::chat
