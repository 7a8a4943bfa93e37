#include "chat/presence_service.hpp"

#include <boost/asio/steady_timer.hpp>

#include "chat/message_json.hpp"
#include "chat/reply.hpp"
#include "sio/json.hpp"

namespace parley::chat {

std::string presence_json(const std::string& user_id, bool online, std::int64_t last_seen_at_ms) {
  std::string json = "{\"userId\":";
  sio::json::append_string(json, user_id);
  json += online ? ",\"online\":true" : ",\"online\":false";
  json += last_seen_at_ms ? ",\"lastSeenAt\":\"" + iso8601_utc(last_seen_at_ms) + "\"}" : std::string(",\"lastSeenAt\":null}");
  return json;
}

struct PresenceService::Timer {
  explicit Timer(boost::asio::io_context& context) : timer(context) {}
  boost::asio::steady_timer timer;
};

PresenceService::PresenceService(store::Store& store, Delivery& delivery, sio::transport::EventLoops& loops,
                                 PresenceOptions options)
    : store_(store), delivery_(delivery), loops_(loops), options_(options), timer_(std::make_unique<Timer>(loops.context(0))) {}

PresenceService::~PresenceService() = default;

void PresenceService::load() {
  store_.appearing_offline([this](store::Result<std::vector<std::string>> result) {
    auto* ids = std::get_if<std::vector<std::string>>(&result);
    if (!ids) return;  // the database did not answer: nobody is hidden until someone says so again
    std::lock_guard lock(mutex_);
    for (auto& id : *ids) hidden_.insert(std::move(id));
  });
}

bool PresenceService::shown_online(const std::string& id, const User& user) const {
  return (user.sockets || user.leaves_at) && !hidden_.count(id);
}

void PresenceService::connected(const std::string& id) {
  std::lock_guard lock(mutex_);
  User& user = users_[id];
  user.sockets = true;
  user.leaves_at.reset();  // back within its grace: nobody was told it left
  changed(id, user, Clock::now());
}

void PresenceService::disconnected(const std::string& id) {
  std::lock_guard lock(mutex_);
  User& user = users_[id];
  user.sockets = false;
  user.last_seen_ms = now_ms();
  auto ends = Clock::now() + options_.grace;
  user.leaves_at = ends;
  if (!user.grace_entry) {
    user.grace_entry = ends;
    schedule(ends, id);
  }
}

// What others see may have changed: tell them now, or once the user's quiet time is over.
void PresenceService::changed(const std::string& id, User& user, Clock::time_point now) {
  bool online = shown_online(id, user);
  if (online == user.announced && !user.push_due) return forget_if_idle(id);
  if (now < user.quiet_until) {
    if (!user.push_due) {
      user.push_due = true;
      schedule(user.quiet_until, id);
    }
    return;
  }
  user.push_due = false;
  if (online == user.announced) return forget_if_idle(id);
  user.announced = online;
  user.quiet_until = now + options_.interval;
  bool hidden = hidden_.count(id) > 0;
  push(id, online, online || hidden ? 0 : user.last_seen_ms);
  forget_if_idle(id);
}

// A user who is offline, told so, and has nothing pending needs no memory here (a user never
// seen is offline and was never announced).
void PresenceService::forget_if_idle(const std::string& id) {
  auto it = users_.find(id);
  if (it == users_.end()) return;
  const User& u = it->second;
  if (!u.sockets && !u.leaves_at && !u.announced && !u.push_due && Clock::now() >= u.quiet_until) users_.erase(it);
}

void PresenceService::push(const std::string& id, bool online, std::int64_t last_seen_ms) {
  std::string json = presence_json(id, online, last_seen_ms);
  store_.contacts(id, [this, json = std::move(json)](store::Result<std::vector<std::string>> result) mutable {
    if (auto* contacts = std::get_if<std::vector<std::string>>(&result); contacts && !contacts->empty()) {
      delivery_.to_users(*contacts, "presence", std::move(json));
    }
  });
}

void PresenceService::set_appear_offline(const std::string& id, bool hidden, Then<bool> done) {
  store_.update_presence(store::PresenceUpdate{id, std::nullopt, hidden},
                         [this, id, hidden, done = std::move(done)](store::Result<bool> result) {
    if (auto* failure = store::failed(result)) return done(store_error(*failure, "Failed to store the setting"));
    {
      std::lock_guard lock(mutex_);
      if (hidden) {
        hidden_.insert(id);
      } else {
        hidden_.erase(id);
      }
      auto it = users_.find(id);
      if (it != users_.end()) changed(id, it->second, Clock::now());
    }
    done(hidden);
  });
}

void PresenceService::get(const std::string& viewer, std::vector<std::string> ids, Then<std::vector<PresenceAnswer>> done) {
  auto asked = ids;
  store_.presence_of(viewer, std::move(ids),
                     [this, asked = std::move(asked), done = std::move(done)](store::Result<std::vector<store::PresenceRecord>> result) {
    auto* records = std::get_if<std::vector<store::PresenceRecord>>(&result);
    if (!records) return done(store_error(std::get<store::Failure>(result), "Failed to load presence"));
    std::unordered_map<std::string, const store::PresenceRecord*> known;
    for (const auto& r : *records) known[r.user_id] = &r;
    std::vector<PresenceAnswer> answers;
    std::lock_guard lock(mutex_);
    for (const auto& id : asked) {
      PresenceAnswer a{id};
      auto record = known.find(id);
      if (record != known.end()) {
        auto user = users_.find(id);
        a.online = user != users_.end() && shown_online(id, user->second);
        bool hidden = hidden_.count(id) > 0;
        if (!a.online && !hidden) {
          std::int64_t in_memory = user != users_.end() ? user->second.last_seen_ms : 0;
          a.last_seen_at_ms = std::max(in_memory, record->second->last_seen_at_ms);
        }
      }
      answers.push_back(std::move(a));
    }
    done(std::move(answers));
  });
}

void PresenceService::schedule(Clock::time_point at, const std::string& id) {
  due_.emplace(at, id);
  if (!timer_armed_ || at <= due_.begin()->first) {
    timer_armed_ = true;
    loops_.post(0, [this] { arm(); });
  }
}

void PresenceService::arm() {
  std::lock_guard lock(mutex_);
  if (due_.empty()) {
    timer_armed_ = false;
    return;
  }
  timer_->timer.expires_at(due_.begin()->first);
  timer_->timer.async_wait([this](const boost::system::error_code& error) {
    if (!error) fire();
  });
}

void PresenceService::fire() {
  std::vector<std::pair<std::string, std::int64_t>> left;  // users whose grace ended: their last-seen time
  {
    std::lock_guard lock(mutex_);
    auto now = Clock::now();
    while (!due_.empty() && due_.begin()->first <= now) {
      auto at = due_.begin()->first;
      std::string id = std::move(due_.begin()->second);
      due_.erase(due_.begin());
      auto it = users_.find(id);
      if (it == users_.end()) continue;
      User& user = it->second;
      if (user.grace_entry == at) {
        user.grace_entry.reset();
        if (user.leaves_at && *user.leaves_at > now) {  // left again since: its grace ends later
          user.grace_entry = *user.leaves_at;
          schedule(*user.leaves_at, id);
        }
      }
      if (user.leaves_at && *user.leaves_at <= now) {
        user.leaves_at.reset();
        left.emplace_back(id, user.last_seen_ms);
      }
      changed(id, user, now);
    }
  }
  for (const auto& [id, at] : left) {
    store_.update_presence(store::PresenceUpdate{id, at, std::nullopt}, [](store::Result<bool>) {});
  }
  arm();
}

}  // namespace parley::chat
