// Who exists and who is online: a cache of users in front of the store, and the count of
// connected sockets per user across all event loops.
//
// The cache is not invalidated by anything: a user's name is the one this process first read
// or wrote, until the cache is cleared (when full). A name changed in the database by anyone
// else (another Parley node on the same PostgreSQL, an operator, the application that owns the
// users) shows here only after that or a restart; a user deleted meanwhile is still "found".
// Nor do tokens rename anyone: a user created from a token keeps the name of its first one.
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

  // Whether that is the user's first socket.
  bool connected(const std::string& id);
  // Whether that was the user's last socket.
  bool disconnected(const std::string& id);

 private:
  store::Store& store_;
  std::size_t max_cached_;
  mutable std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, UserInfo> cache_;
  std::mutex online_mutex_;  // the count of sockets per user
  std::unordered_map<std::string, int> online_;
};

}  // namespace parley::chat
