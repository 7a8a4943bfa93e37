// The `group` mode's plan, as pure code: which users form which group, the create_conversation
// and send_message payloads, reading a created conversation's id from the ack, and judging a
// receive_message that reaches a member. The worker does the I/O; the tests exercise this.
//
// Groups are disjoint: group g is users g*M .. g*M+M-1, its creator (owner) is user g*M. Each
// user has one socket, so a group send is due to the M-1 other members: that is the fan-out
// counted as deliveries. The sender's own copy (Parley sends receive_message to every member's
// sockets, the sender's included) is counted apart, as an echo.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "probe.hpp"

namespace parley_bench {

struct GroupLayout {
  uint32_t groups = 0;
  uint32_t members = 0;  // per group, the creator included

  uint32_t users() const noexcept { return groups * members; }
  bool contains(uint32_t user) const noexcept { return user < users(); }
  uint32_t group_of(uint32_t user) const noexcept { return user / members; }
  uint32_t creator(uint32_t group) const noexcept { return group * members; }
  uint32_t fanout() const noexcept { return members - 1; }  // deliveries due per send
};

// Who is in which group, as the creation needs it: every group has `members` users, the first of
// them its creator. The group mode's groups are disjoint (disjoint_rosters); the presence mode's
// overlap (presence_layout.hpp). LoadRun::create_groups creates whatever rosters it is given.
struct GroupRosters {
  uint32_t members = 0;
  std::vector<uint32_t> flat;  // group g is flat[g*members .. g*members+members-1]

  uint32_t groups() const noexcept { return members ? static_cast<uint32_t>(flat.size() / members) : 0; }
  std::span<const uint32_t> of(uint32_t group) const noexcept {
    return std::span<const uint32_t>(flat).subspan(static_cast<std::size_t>(group) * members, members);
  }
  uint32_t creator(uint32_t group) const noexcept { return flat[static_cast<std::size_t>(group) * members]; }
};

GroupRosters disjoint_rosters(const GroupLayout& layout);

// ["create_conversation",{"title":"parley-bench <g>","memberIds":[the other members' ids]}]:
// `members` is the group's roster, its creator first; `quoted_ids` are the users' ids as JSON
// string literals.
std::string create_conversation_event(uint32_t group, std::span<const uint32_t> members,
                                      const std::vector<std::string>& quoted_ids);
// The same for a group of the disjoint layout.
std::string create_conversation_event(const GroupLayout& layout, uint32_t group,
                                      const std::vector<std::string>& quoted_ids);

// The conversation id of a create_conversation ack {success:true, conversation:{id,...}};
// nullopt with the reason in `error` for a failure ack or an answer without a numeric id.
std::optional<uint64_t> conversation_id_from_ack(std::string_view ack_json, std::string& error);

// The start of a group send: ["send_message",{"conversationId":<id>,"content":"  (the probe
// and `"}]` follow).
void begin_group_send(std::string& out, uint64_t conversation_id);

enum class GroupReceipt { delivery, echo, misrouted };

// What a receive_message with `probe` (whose `to` is the group index) reaching `receiver`
// with senderId `sender_id` is. `conversation_id` is the message's conversationId (nullopt
// when absent: the contract says every push of a log entry carries it, so that is misrouted),
// `expected_conversation` the group's.
GroupReceipt classify_group_receipt(const GroupLayout& layout, const Probe& probe, uint32_t receiver,
                                    std::string_view sender_id, std::string_view expected_sender_id,
                                    std::optional<uint64_t> conversation_id, uint64_t expected_conversation) noexcept;

// Deliveries missing for one send that reached `count` of its `fanout` members (duplicates are
// caught as they arrive: a delivery past the fan-out).
uint32_t missing_deliveries(uint32_t count, uint32_t fanout) noexcept;

}  // namespace parley_bench
