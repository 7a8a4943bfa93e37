#include "chat/directory.hpp"

namespace parley::chat {

UserDirectory::UserDirectory(store::Store& store, std::size_t max_cached) : store_(store), max_cached_(max_cached) {}

std::optional<UserInfo> UserDirectory::cached(const std::string& id) const {
  std::shared_lock lock(cache_mutex_);
  auto it = cache_.find(id);
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

void UserDirectory::remember(const store::User& user) {
  std::unique_lock lock(cache_mutex_);
  if (cache_.size() >= max_cached_) cache_.clear();  // crude, but bounded; hits refill it
  cache_.insert_or_assign(user.id, UserInfo{user.id, user.name});
}

void UserDirectory::find(const std::string& id, std::function<void(store::Result<std::optional<UserInfo>>)> done) {
  if (auto hit = cached(id)) {
    done(std::move(hit));
    return;
  }
  store_.get_user(id, [this, done = std::move(done)](store::Result<std::optional<store::User>> result) {
    if (auto* failure = store::failed(result)) return done(*failure);
    auto& user = std::get<std::optional<store::User>>(result);
    if (!user) return done(std::optional<UserInfo>());
    remember(*user);
    done(std::optional<UserInfo>(UserInfo{user->id, user->name}));
  });
}

bool UserDirectory::connected(const std::string& id) {
  std::lock_guard lock(online_mutex_);
  return ++online_[id] == 1;
}

bool UserDirectory::disconnected(const std::string& id) {
  std::lock_guard lock(online_mutex_);
  auto it = online_.find(id);
  if (it == online_.end() || --it->second > 0) return false;
  online_.erase(it);
  return true;
}

}  // namespace parley::chat
