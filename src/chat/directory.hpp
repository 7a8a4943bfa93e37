// Who exists and who is online: a cache of users in front of the store (names never change
// behind our back: only this server writes them), and the count of connected sockets per user
// across all event loops.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "store/store.hpp"

namespace parley::chat {

struct UserInfo {
  std::string id;
  std::string name;
};

class UserDirectory {
 public:
  explicit UserDirectory(store::Store& store, std::size_t max_cached = 200'000);

  // The user, from the cache or the store. `done` may run at once or on a store thread.
  void find(const std::string& id, std::function<void(store::Result<std::optional<UserInfo>>)> done);
  std::optional<UserInfo> cached(const std::string& id) const;
  void remember(const store::User& user);

  void connected(const std::string& id);
  void disconnected(const std::string& id);
  bool online(const std::string& id) const;

 private:
  store::Store& store_;
  std::size_t max_cached_;
  mutable std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, UserInfo> cache_;
  mutable std::mutex online_mutex_;
  std::unordered_map<std::string, int> online_;
};

}  // namespace parley::chat
