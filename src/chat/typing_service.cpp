#include "chat/typing_service.hpp"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>

#include "chat/reply.hpp"
#include "sio/json.hpp"

namespace parley::chat {

namespace {

const ChatError not_a_member{ErrorCode::forbidden, "Not allowed: not a member of this conversation"};

std::string typing_update_json(std::int64_t conversation_id, const std::vector<std::string>& user_ids) {
  std::string json = "{\"conversationId\":" + std::to_string(conversation_id) + ",\"userIds\":[";
  for (std::size_t i = 0; i < user_ids.size(); ++i) {
    if (i) json += ',';
    sio::json::append_string(json, user_ids[i]);
  }
  json += "]}";
  return json;
}

}  // namespace

struct TypingService::Timer {
  explicit Timer(boost::asio::io_context& context) : timer(context) {}
  boost::asio::steady_timer timer;
};

TypingService::TypingService(store::Store& store, Delivery& delivery, sio::transport::EventLoops& loops,
                             TypingLimits limits)
    : store_(store),
      delivery_(delivery),
      loops_(loops),
      limits_(limits),
      timer_(std::make_unique<Timer>(loops.context(0))) {}

TypingService::~TypingService() = default;

void TypingService::typing(const std::string& user, const TypingRequest& request, Then<bool> done) {
  std::int64_t id = request.conversation_id;
  if (settled_here(user, id, request.is_typing, done)) return;
  store_.get_state(id, [this, user, id](store::Result<std::optional<store::ConversationState>> result) {
    auto* found = std::get_if<std::optional<store::ConversationState>>(&result);
    bool member = found && *found && (*found)->member(user);
    if (member) start(user, **found);
    std::vector<Then<bool>> waiting;
    {
      std::lock_guard lock(mutex_);
      auto pending = pending_.find({id, user});  // start() read it first
      waiting = std::move(pending->second.waiting);
      pending_.erase(pending);
      tracked_.fetch_sub(1, std::memory_order_relaxed);
    }
    Outcome<bool> outcome = true;
    if (!found) {
      outcome = store_error(std::get<store::Failure>(result), "Failed to load the conversation");
    } else if (!member) {
      outcome = not_a_member;
    }
    for (auto& done : waiting) done(outcome);
  });
}

// What needs no store read: a stop or a refresh, answered at once, or a `true` while a start
// is under way, answered with it (true: nothing more to do). Else a start is now pending and
// the caller reads the members (false); `done` waits in the start for them.
bool TypingService::settled_here(const std::string& user, std::int64_t id, bool is_typing, Then<bool>& done) {
  {
    std::lock_guard lock(mutex_);
    auto pending = pending_.find({id, user});
    if (!is_typing) {
      if (pending != pending_.end()) pending->second.stopped = true;
      stop(id, user);
    } else if (pending != pending_.end()) {
      pending->second.stopped = false;  // typing after all: the start under way stands
      pending->second.waiting.push_back(std::move(done));
      return true;
    } else if (!refresh(id, user)) {
      auto& start = pending_[{id, user}];
      start.waiting.push_back(std::move(done));
      tracked_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
  }
  done(true);
  return true;
}

// A typist's `true` again: its state lasts longer, and nobody is told anything.
bool TypingService::refresh(std::int64_t id, const std::string& user) {
  auto room = rooms_.find(id);
  if (room == rooms_.end()) return false;
  for (auto& typist : room->second.typists) {
    if (typist.user_id != user) continue;
    typist.until = Clock::now() + limits_.expiry;
    return true;
  }
  return false;
}

void TypingService::start(const std::string& user, const store::ConversationState& state) {
  std::lock_guard lock(mutex_);
  auto intent = pending_.find({state.id, user});
  if (intent != pending_.end() && intent->second.stopped) return;  // stopped while the members were read
  auto [room_it, fresh] = rooms_.try_emplace(state.id);
  Room& room = room_it->second;
  if (fresh) {
    for (const auto& m : state.members) room.members.push_back(m.user_id);
  } else if (std::find(room.members.begin(), room.members.end(), user) == room.members.end()) {
    return;  // removed since (members_changed keeps the room's members current)
  }
  for (auto& typist : room.typists) {
    if (typist.user_id == user) {  // started by another of its sockets meanwhile
      typist.until = Clock::now() + limits_.expiry;
      return;
    }
  }
  if (auto places = places_.find(user); places != places_.end() && places->second.size() >= limits_.max_places_per_user) {
    stop(places->second.front(), user);  // another conversation's room: `room` stays valid
  }
  places_[user].push_back(state.id);
  room.typists.push_back({user, Clock::now() + limits_.expiry});
  tracked_.fetch_add(1, std::memory_order_relaxed);
  publish(state.id, room, user);
  if (!timer_armed_) {
    timer_armed_ = true;
    loops_.post(0, [this] { arm(); });
  }
}

void TypingService::stop(std::int64_t conversation_id, const std::string& user) {
  auto room_it = rooms_.find(conversation_id);
  if (room_it == rooms_.end()) return;
  Room& room = room_it->second;
  auto typist = std::find_if(room.typists.begin(), room.typists.end(), [&](const Typist& t) { return t.user_id == user; });
  if (typist == room.typists.end()) return;
  room.typists.erase(typist);
  tracked_.fetch_sub(1, std::memory_order_relaxed);
  if (auto places = places_.find(user); places != places_.end()) {
    std::erase(places->second, conversation_id);
    if (places->second.empty()) places_.erase(places);
  }
  publish(conversation_id, room, user);
  if (room.typists.empty()) rooms_.erase(room_it);
}

void TypingService::publish(std::int64_t conversation_id, const Room& room, const std::string& cause) {
  std::vector<std::string> typing;
  typing.reserve(room.typists.size());
  for (const auto& t : room.typists) typing.push_back(t.user_id);
  std::vector<std::string> audience;
  audience.reserve(room.members.size());
  for (const auto& m : room.members) {
    if (m != cause) audience.push_back(m);
  }
  delivery_.to_users(audience, "typing_update", typing_update_json(conversation_id, typing));
}

void TypingService::sent(const std::string& user, std::int64_t conversation_id) {
  if (tracked_.load(std::memory_order_relaxed) == 0) return;  // the one-to-one hot path
  std::lock_guard lock(mutex_);
  if (auto it = pending_.find({conversation_id, user}); it != pending_.end()) it->second.stopped = true;
  stop(conversation_id, user);
}

void TypingService::gone(const std::string& user) {
  std::lock_guard lock(mutex_);
  for (auto& [place, start] : pending_) {
    if (place.second == user) start.stopped = true;
  }
  auto places = places_.find(user);
  if (places == places_.end()) return;
  auto conversations = places->second;  // stop() edits the list
  for (auto id : conversations) stop(id, user);
}

void TypingService::members_changed(const store::ConversationState& state) {
  std::lock_guard lock(mutex_);
  auto room_it = rooms_.find(state.id);
  if (room_it == rooms_.end()) return;
  Room& room = room_it->second;
  room.members.clear();
  for (const auto& m : state.members) room.members.push_back(m.user_id);
  std::vector<std::string> gone;
  for (const auto& t : room.typists) {
    if (!state.member(t.user_id)) gone.push_back(t.user_id);
  }
  for (const auto& user : gone) stop(state.id, user);  // may erase the room
}

void TypingService::arm() {
  std::lock_guard lock(mutex_);
  auto earliest = Clock::time_point::max();
  for (const auto& [id, room] : rooms_) {
    for (const auto& t : room.typists) earliest = std::min(earliest, t.until);
  }
  if (earliest == Clock::time_point::max()) {
    timer_armed_ = false;
    return;
  }
  timer_->timer.expires_at(earliest);
  timer_->timer.async_wait([this](const boost::system::error_code& error) {
    if (!error) fire();
  });
}

void TypingService::fire() {
  {
    std::lock_guard lock(mutex_);
    auto now = Clock::now();
    std::vector<Place> due;
    for (const auto& [id, room] : rooms_) {
      for (const auto& t : room.typists) {
        if (t.until <= now) due.emplace_back(id, t.user_id);
      }
    }
    for (const auto& [id, user] : due) stop(id, user);
  }
  arm();
}

}  // namespace parley::chat
