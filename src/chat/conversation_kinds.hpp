// Which conversations are direct and which are groups, as this process has learnt them: a kind
// never changes, so a send by conversationId needs the store's answer about it once.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "store/conversations.hpp"

namespace parley::chat {

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
