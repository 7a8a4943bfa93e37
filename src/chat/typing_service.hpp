// Who is typing where (docs/api.md "Live signals"): in memory only, never stored. Per
// conversation, its typists and when each one's state runs out (`expiry` after its last
// `isTyping: true`); every change of that list is pushed to the conversation's other members as
// typing_update {conversationId, userIds}. A state also ends at once on the typist's send, when
// its last socket closes (no indicator left behind by a dropped connection), and when it stops
// being a member.
//
// Usable from any thread, under one lock: typing changes are rare next to messages (the gateway
// limits `typing` per user and address), a refresh of a state already on costs no push and no
// store read, and a send costs one atomic load while nobody types anywhere. One timer, on the
// first event loop, armed for the earliest end. Pushes are made under the lock, so that every
// member gets a conversation's lists in the order they were made.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "chat/delivery.hpp"
#include "chat/live_args.hpp"
#include "chat/outcome.hpp"
#include "sio/transport/event_loops.hpp"
#include "store/store.hpp"

namespace parley::chat {

struct TypingLimits {
  std::chrono::milliseconds expiry{6000};  // a state's end after its last `isTyping: true`
  std::size_t max_places_per_user = 8;     // conversations one user types in at once (the oldest ends)
};

class TypingService {
 public:
  TypingService(store::Store& store, Delivery& delivery, sio::transport::EventLoops& loops, TypingLimits limits = {});
  // Destroy it after the loops have stopped.
  ~TypingService();
  TypingService(const TypingService&) = delete;
  TypingService& operator=(const TypingService&) = delete;

  // `user` types (or goes on typing), or stops, in the request's conversation. The first
  // `isTyping: true` there reads the members (FORBIDDEN unless `user` is one); `done` may run on
  // a store thread.
  void typing(const std::string& user, const TypingRequest& request, Then<bool> done);
  // The user's message to the conversation is stored: its typing there ends.
  void sent(const std::string& user, std::int64_t conversation_id);
  // The user's last socket closed: its typing ends everywhere.
  void gone(const std::string& user);
  // The conversation's members changed: typists who are no longer members stop, and later
  // lists go to the members as they are now.
  void members_changed(const store::ConversationState& state);


 private:
  using Clock = std::chrono::steady_clock;
  struct Typist {
    std::string user_id;
    Clock::time_point until;
  };
  struct Room {
    std::vector<Typist> typists;       // in the order they started
    std::vector<std::string> members;  // who gets its lists (each list goes to all but its cause)
  };
  using Place = std::pair<std::int64_t, std::string>;  // conversation, user

  bool settled_here(const std::string& user, std::int64_t conversation_id, bool is_typing, Then<bool>& done);
  bool refresh(std::int64_t conversation_id, const std::string& user);  // under the lock
  void start(const std::string& user, const store::ConversationState& state);
  void stop(std::int64_t conversation_id, const std::string& user);  // under the lock
  void publish(std::int64_t conversation_id, const Room& room, const std::string& cause);  // under the lock
  void arm();   // on the timer's loop
  void fire();  // on the timer's loop

  store::Store& store_;
  Delivery& delivery_;
  sio::transport::EventLoops& loops_;
  const TypingLimits limits_;
  std::atomic<std::size_t> tracked_{0};  // typists, and starts waiting for the members

  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, Room> rooms_;                        // only where someone types
  std::unordered_map<std::string, std::vector<std::int64_t>> places_;  // user: where it types, oldest first
  // Starts waiting for the members to be read: whether a stop came meanwhile, and the answers
  // due once they are (each `true` of that user there meanwhile waits for the same outcome).
  struct PendingStart {
    bool stopped = false;
    std::vector<Then<bool>> waiting;
  };
  std::map<Place, PendingStart> pending_;
  bool timer_armed_ = false;

  struct Timer;
  std::unique_ptr<Timer> timer_;  // on loop 0
};

}  // namespace parley::chat
