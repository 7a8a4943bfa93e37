// Where an event's answer goes: the socket (for `error` events) and the client's ack, if it
// asked. Usable from any thread. Also the mapping of store failures to the codes of docs/api.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chat/chat_error.hpp"
#include "chat/message_json.hpp"
#include "sio/socketio/server.hpp"
#include "store/store.hpp"

namespace parley::chat {

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::optional<std::string_view> first_argument(const sio::Args& args) {
  if (args.empty()) return std::nullopt;
  return args[0];
}

struct Reply {
  sio::Socket::Ref socket;
  sio::Ack ack;
  std::string_view event;  // a literal

  void fail(const ChatError& error) const {
    socket.emit("error", sio::RawJson{error_event(error, event)});
    if (ack) ack(sio::RawJson{failure_ack(error)});
  }
  // {"success":true<fields>}: `fields` is "" or starts with a comma.
  void succeed(std::string_view fields = {}) const {
    if (!ack) return;
    std::string out = "{\"success\":true";
    out += fields;
    out += '}';
    ack(sio::RawJson{std::move(out)});
  }
};

// A store failure as the client's error: a Refusal by its code (FORBIDDEN, NOT_FOUND, CONFLICT,
// INVALID_ARGUMENT), a reused clientMessageId CONFLICT, anything else the database's
// (UNAVAILABLE, with `database_message`).
ChatError store_error(const store::Failure& failure, std::string_view database_message);

// Conversation kinds never change: remembered once known, so that a send by conversationId
// knows whether to name a receiver without asking the store each time.
class ConversationKinds {
 public:
  std::optional<store::ConversationKind> find(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    auto it = kinds_.find(id);
    if (it == kinds_.end()) return std::nullopt;
    return it->second;
  }
  void remember(std::int64_t id, store::ConversationKind kind) {
    std::lock_guard lock(mutex_);
    if (kinds_.size() > 1'000'000) kinds_.clear();  // bounded; refilled on demand
    kinds_[id] = kind;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, store::ConversationKind> kinds_;
};

}  // namespace parley::chat
