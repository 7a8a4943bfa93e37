// Who is online (docs/api.md "Live signals"): a user is online while it has a socket, and stays
// so for `grace` after its last one closes, so that a reconnect does not flicker; then its
// last-seen time (when that socket closed) is stored. Every change of what others see is pushed
// as `presence {userId, online, lastSeenAt}` to the users who share a conversation with it, at
// most once per `interval` per user (changes within it are folded into one push of the latest
// state, or none when it ended as it began). A user who chose to appear offline is shown
// offline, with no last-seen time, whatever its sockets.
//
// Usable from any thread, under one lock; one timer on the first event loop for the earliest
// pending end of a grace or push. The connect and disconnect paths cost a map lookup; the
// store is read for a push's audience only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "chat/delivery.hpp"
#include "chat/outcome.hpp"
#include "sio/transport/event_loops.hpp"
#include "store/store.hpp"

namespace parley::chat {

struct PresenceOptions {
  std::chrono::milliseconds grace{5000};     // offline this long after the last socket closed
  std::chrono::milliseconds interval{3000};  // at most one push per user per interval
};

struct PresenceAnswer {
  std::string user_id;
  bool online = false;
  std::int64_t last_seen_at_ms = 0;  // 0: none to show (online, hidden, never seen, or not a contact)
};

class PresenceService {
 public:
  PresenceService(store::Store& store, Delivery& delivery, sio::transport::EventLoops& loops, PresenceOptions options = {});
  ~PresenceService();  // after the loops have stopped
  PresenceService(const PresenceService&) = delete;
  PresenceService& operator=(const PresenceService&) = delete;

  // Reads who chose to appear offline (before the first connection).
  void load();
  // The user's first socket connected; its last one closed.
  void connected(const std::string& user);
  void disconnected(const std::string& user);
  void set_appear_offline(const std::string& user, bool hidden, Then<bool> done);
  // `ids` as `viewer` may see them: users who share none of its conversations are answered
  // offline with no last-seen time.
  void get(const std::string& viewer, std::vector<std::string> ids, Then<std::vector<PresenceAnswer>> done);

 private:
  using Clock = std::chrono::steady_clock;
  struct User {
    bool sockets = false;                  // it has one now
    std::optional<Clock::time_point> leaves_at;  // the end of its grace, while in one
    std::int64_t last_seen_ms = 0;         // when its last socket closed
    bool announced = false;                // what its contacts were last told (online?)
    Clock::time_point quiet_until{};       // no push before this
    bool push_due = false;                 // a push waits for quiet_until
    // When its grace entry in due_ is (one at most: a user who reconnects and leaves again
    // within its grace keeps it, and fire() moves it to the new leaves_at; so a connection that
    // flaps costs no timer entry per close).
    std::optional<Clock::time_point> grace_entry;
  };
  struct Timer;

  bool shown_online(const std::string& id, const User& user) const;  // under the lock
  void changed(const std::string& id, User& user, Clock::time_point now);  // under the lock
  void push(const std::string& id, bool online, std::int64_t last_seen_ms);
  void schedule(Clock::time_point at, const std::string& id);  // under the lock
  void arm();   // on the timer's loop
  void fire();  // on the timer's loop
  void forget_if_idle(const std::string& id);  // under the lock

  store::Store& store_;
  Delivery& delivery_;
  sio::transport::EventLoops& loops_;
  PresenceOptions options_;
  std::unique_ptr<Timer> timer_;
  std::mutex mutex_;
  std::unordered_map<std::string, User> users_;
  std::unordered_set<std::string> hidden_;  // appear offline
  std::multimap<Clock::time_point, std::string> due_;  // grace ends and pushes waiting
  bool timer_armed_ = false;
};

// {"userId":..,"online":..,"lastSeenAt":..|null}
std::string presence_json(const std::string& user_id, bool online, std::int64_t last_seen_at_ms);

}  // namespace parley::chat
