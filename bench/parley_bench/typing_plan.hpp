// The `typing` mode's plan and judge, as pure code: which member of which group changes its
// typing state next, what each typing_update must say, and matching every update that reaches
// a member to the change that caused it. The worker does the I/O under a lock (TypingWatch in
// worker.hpp); the tests exercise this.
//
// The groups are the group mode's disjoint layout. The server pushes `typing_update
// {conversationId, userIds}` — the conversation's whole list of typists, in the order they
// started — to every member but the one whose change it is, and only when the list changes
// (docs/api.md, "Live signals"). So the board keeps at most one change in flight per group:
// a member that was not typing says `true` (the list gains it at the end), one that was says
// `false` (the list loses it). Each update that reaches a member is then the group's in-flight
// change, and must carry exactly the list the board expects; its latency runs from the moment
// the change was handed to the socket. A change is complete once it was acked and all M - 1
// others have their update; it is given up (its missing updates lost) after `give_up_ns`.
//
// What the server does on its own must never happen: a typing state runs out TYPING_TIMEOUT
// after its last `true`, and that pushes a shorter list nobody asked for. The board stops
// every typist before `max_typing_ns` (half the server's timeout by default), and paces each
// user to the server's per-user limit, so that a RATE_LIMITED answer means the server limits
// below what it documents.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "group_plan.hpp"
#include "stats.hpp"

namespace parley_bench {

struct TypingPacing {
  int64_t min_gap_ns = 100'000'000;       // per user, between its changes: the server allows 10/s
  int64_t max_typing_ns = 3'000'000'000;  // a typist stops before the server's 6 s expiry could end it
  int64_t give_up_ns = 5'000'000'000;     // a change not complete by then: its missing updates are lost
};

// One typing event to send: `user` (an index) in `group` says isTyping `is_typing`.
struct TypingChange {
  uint64_t id = 0;  // serial, from 1
  uint32_t group = 0;
  uint32_t user = 0;
  bool is_typing = false;
};

enum class TypingAck { ok, rate_limited, refused };

// What one update was, for the caller's counters; `delivered` carries its latency.
enum class UpdateVerdict { delivered, no_change_in_flight, to_changer, repeated, wrong_list, wrong_conversation };

struct TypingTally {
  uint64_t changes = 0;  // begun and handed to a socket
  uint64_t starts = 0, stops = 0;
  uint64_t not_sent = 0;  // begun, but the member's connection was gone
  uint64_t acked = 0, rate_limited = 0, refused = 0, unacked = 0;
  uint64_t given_up = 0;  // changes not complete within give_up_ns (or at the end)
  uint64_t updates_due = 0;  // M - 1 for each change not refused
  uint64_t delivered = 0;    // updates with the expected list, once per member and change
  uint64_t lost = 0;         // due, never came (or came after the change was given up)
  // Unexpected updates: about a group with no change in flight (a late one included), to the
  // member whose change it is, a second one to the same member for the same change, with a
  // list other than the expected one, or naming a conversation that is not the receiver's group.
  uint64_t no_change_in_flight = 0, to_changer = 0, repeated = 0, wrong_list = 0, wrong_conversation = 0;
  uint64_t malformed = 0;  // a typing_update that is not {conversationId, userIds: [known ids]}
  uint64_t error_events = 0;
  int64_t first_send_ns = 0, last_send_ns = 0, last_delivery_ns = 0;
  LatencyHistogram latency;        // every delivered update, from its change's send
  LatencyHistogram start_latency;  // those caused by isTyping: true
  LatencyHistogram stop_latency;   // by isTyping: false
  LatencyHistogram ack_latency;
  std::vector<std::string> errors;  // the first few

  uint64_t unexpected() const noexcept {
    return no_change_in_flight + to_changer + repeated + wrong_list + wrong_conversation + malformed;
  }
};

class TypingBoard {
 public:
  // `conversation_ids[g]` is group g's conversation.
  TypingBoard(GroupLayout layout, std::vector<uint64_t> conversation_ids, TypingPacing pacing, uint64_t seed);

  // The next change at `now`: a random group with no change in flight, and in it the typist
  // that has typed for max_typing_ns (it stops), else a random member whose last change is
  // min_gap_ns old. nullopt when no group has both (every group busy, or its members paced).
  std::optional<TypingChange> begin_change(int64_t now);
  // The change's event is being handed to the socket now: its latency starts here.
  void mark_sent(const TypingChange& change, int64_t now);
  // Its member's connection was gone: nothing was sent, the group is free again.
  void not_sent(const TypingChange& change);
  void on_ack(uint32_t group, uint64_t change_id, TypingAck ack, int64_t now);
  // A typing_update reached user `receiver`; `user_ids` are the list's users as indexes.
  UpdateVerdict on_update(uint32_t receiver, uint64_t conversation_id, std::span<const uint32_t> user_ids,
                          int64_t now);
  void malformed_update(std::string_view payload);
  void error_event(std::string_view payload);

  // Gives up the changes begun more than give_up_ns before `now`; with `everything`, all of them.
  void give_up(int64_t now, bool everything = false);
  uint32_t in_flight() const noexcept { return in_flight_; }
  const TypingTally& tally() const noexcept { return tally_; }
  // Who the board believes is typing in `group`, in the order they started.
  const std::vector<uint32_t>& typists(uint32_t group) const { return groups_[group].typists; }

 private:
  struct Flight {
    TypingChange change;
    bool active = false;
    bool sent = false;
    bool acked = false;
    int64_t begun_ns = 0;
    int64_t sent_ns = 0;
    uint32_t answered = 0;               // members that got an update for it (right or wrong list)
    uint32_t delivered = 0;              // with the right list
    std::vector<uint8_t> got;            // per member of the group
    std::vector<uint32_t> before;        // the list before the change, to restore on a refusal
    int64_t since_before = -1;           // and when its member had started typing
  };
  struct Group {
    std::vector<uint32_t> typists;  // user indexes, in the order they started
    Flight flight;
  };

  uint64_t next_random() noexcept;
  uint32_t random_below(uint32_t n) noexcept;
  std::optional<uint32_t> pick_member(uint32_t group, int64_t now);
  void apply(Group& group, const TypingChange& change);
  void finish_if_complete(Group& group);
  void finish(Group& group);
  void note(std::string error);

  GroupLayout layout_;
  std::vector<uint64_t> conversation_ids_;
  TypingPacing pacing_;
  uint64_t random_state_;
  std::vector<Group> groups_;
  std::vector<int64_t> last_change_ns_;    // per user; INT64_MIN: never
  std::vector<int64_t> typing_since_ns_;   // per user; -1: not typing
  std::vector<uint32_t> free_groups_;      // groups with no change in flight
  std::vector<uint32_t> free_slot_;        // per group: its index in free_groups_, or UINT32_MAX
  uint32_t in_flight_ = 0;
  uint64_t next_id_ = 1;
  TypingTally tally_;
};

// ["typing",{"conversationId":<id>,"isTyping":true|false}]
std::string typing_event(uint64_t conversation_id, bool is_typing);

// A typing ack: {success: true}, or a refusal with its code (RATE_LIMITED apart).
TypingAck classify_typing_ack(simdjson::dom::parser& parser, std::string_view ack_json);

struct TypingUpdate {
  uint64_t conversation_id = 0;
  std::vector<uint32_t> user_ids;  // as indexes
};

// A typing_update's payload, its ids mapped through `user_index`; false when malformed (not
// JSON, no numeric conversationId, userIds not an array of strings, an id nobody has).
bool read_typing_update(simdjson::dom::parser& parser, std::string_view payload,
                        const std::unordered_map<std::string, uint32_t>& user_index, TypingUpdate& out);

}  // namespace parley_bench
