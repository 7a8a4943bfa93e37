// Who may change what in a conversation: pure functions from the conversation's current state
// (locked by the store for the length of its transaction) to a store::ConversationDecision, the
// change to make with the system entry that records it, or the Refusal to answer. They run on a
// store thread inside that transaction (store::DecideChange), so they do no I/O.
//
// The rules (docs/api.md, "Conversations and groups"):
//   - only current members act; a non-member is refused FORBIDDEN, as for an unknown id;
//   - a direct conversation is never changed: FORBIDDEN;
//   - rename and add: owner or admin; remove: owner or admin, but an admin cannot remove an
//     owner; set_role: owners only; anyone may leave;
//   - a group never lacks an owner: demoting its last owner is CONFLICT, and a last owner who
//     leaves hands ownership to the longest-standing admin, else member (lowest joined_seq, then
//     the order of the state's members);
//   - adding a current member is CONFLICT, removing or re-roling a non-member NOT_FOUND, giving
//     someone the role it has CONFLICT, removing oneself INVALID_ARGUMENT (leave instead);
//   - at most max_members members: INVALID_ARGUMENT beyond.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "store/conversations.hpp"

namespace parley::chat {

inline constexpr std::size_t default_max_group_members = 1000;

// The `system` object of a system entry: {"type":..,"actorId":..,"userIds":[..],"title":..,"role":..}
// (userIds, title and role only when given).
std::string system_json(std::string_view type, const std::string& actor_id, const std::vector<std::string>& user_ids = {},
                        const std::optional<std::string>& title = std::nullopt,
                        std::optional<store::Role> role = std::nullopt);

store::ConversationDecision decide_rename(const store::ConversationState& state, const std::string& actor_id,
                                          const std::string& title);
store::ConversationDecision decide_add(const store::ConversationState& state, const std::string& actor_id,
                                       const std::vector<std::string>& user_ids, std::size_t max_members);
store::ConversationDecision decide_remove(const store::ConversationState& state, const std::string& actor_id,
                                          const std::string& user_id);
store::ConversationDecision decide_set_role(const store::ConversationState& state, const std::string& actor_id,
                                            const std::string& user_id, store::Role role);
store::ConversationDecision decide_leave(const store::ConversationState& state, const std::string& actor_id);

// The member who becomes owner when `leaver`, the last owner, leaves (nullptr: nobody is left).
const store::Member* successor_of(const store::ConversationState& state, const std::string& leaver);

}  // namespace parley::chat
