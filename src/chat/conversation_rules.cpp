#include "chat/conversation_rules.hpp"

#include <algorithm>

#include "sio/json.hpp"

namespace parley::chat {

using store::ConversationChange;
using store::ConversationDecision;
using store::ConversationKind;
using store::ConversationState;
using store::Member;
using store::Refusal;
using store::Role;

namespace {

Refusal refuse(std::string* why, Refusal refusal, std::string sentence) {
  if (why) *why = std::move(sentence);
  return refusal;
}

// The acting member of a group, or the refusal for anyone else.
std::variant<const Member*, Refusal> group_actor(const ConversationState& state, const std::string& actor_id,
                                                 std::string* why) {
  const Member* actor = state.member(actor_id);
  if (!actor) return refuse(why, Refusal::forbidden, "not a member of this conversation");
  if (state.kind != ConversationKind::group) return refuse(why, Refusal::forbidden, "a direct conversation cannot be changed");
  return actor;
}

bool manages(const Member& m) { return m.role == Role::owner || m.role == Role::admin; }

std::size_t owners(const ConversationState& state) {
  return static_cast<std::size_t>(
      std::count_if(state.members.begin(), state.members.end(), [](const Member& m) { return m.role == Role::owner; }));
}

}  // namespace

std::string system_json(std::string_view type, const std::string& actor_id, const std::vector<std::string>& user_ids,
                        const std::optional<std::string>& title, std::optional<Role> role) {
  std::string out = "{\"type\":";
  sio::json::append_string(out, type);
  out += ",\"actorId\":";
  sio::json::append_string(out, actor_id);
  if (!user_ids.empty()) {
    out += ",\"userIds\":[";
    for (std::size_t i = 0; i < user_ids.size(); ++i) {
      if (i) out += ',';
      sio::json::append_string(out, user_ids[i]);
    }
    out += ']';
  }
  if (title) {
    out += ",\"title\":";
    sio::json::append_string(out, *title);
  }
  if (role) {
    out += ",\"role\":\"";
    out += store::to_string(*role);
    out += '"';
  }
  out += '}';
  return out;
}

ConversationDecision decide_rename(const ConversationState& state, const std::string& actor_id, const std::string& title,
                                   std::string* why) {
  auto actor = group_actor(state, actor_id, why);
  if (auto* why = std::get_if<Refusal>(&actor)) return *why;
  if (!manages(*std::get<const Member*>(actor))) return refuse(why, Refusal::forbidden, "only an owner or admin may rename");
  ConversationChange change;
  change.title = title;
  change.actor_id = actor_id;
  change.system_json = system_json("title_changed", actor_id, {}, title);
  return change;
}

ConversationDecision decide_add(const ConversationState& state, const std::string& actor_id,
                                const std::vector<std::string>& user_ids, std::size_t max_members, std::string* why) {
  auto actor = group_actor(state, actor_id, why);
  if (auto* why = std::get_if<Refusal>(&actor)) return *why;
  if (!manages(*std::get<const Member*>(actor))) return refuse(why, Refusal::forbidden, "only an owner or admin may add members");
  if (user_ids.empty()) return refuse(why, Refusal::invalid_argument, "no one to add");
  ConversationChange change;
  for (const auto& id : user_ids) {
    if (state.member(id)) return refuse(why, Refusal::conflict, "already a member: " + id);
    bool repeated = std::any_of(change.add.begin(), change.add.end(), [&](const auto& added) { return added.first == id; });
    if (repeated) return refuse(why, Refusal::invalid_argument, "named twice: " + id);
    change.add.emplace_back(id, Role::member);
  }
  if (state.members.size() + change.add.size() > max_members) {
    return refuse(why, Refusal::invalid_argument, "a group has at most " + std::to_string(max_members) + " members");
  }
  change.actor_id = actor_id;
  change.system_json = system_json("members_added", actor_id, user_ids);
  return change;
}

ConversationDecision decide_remove(const ConversationState& state, const std::string& actor_id, const std::string& user_id,
                                   std::string* why) {
  auto actor = group_actor(state, actor_id, why);
  if (auto* why = std::get_if<Refusal>(&actor)) return *why;
  const Member& me = *std::get<const Member*>(actor);
  if (!manages(me)) return refuse(why, Refusal::forbidden, "only an owner or admin may remove members");
  if (user_id == actor_id) return refuse(why, Refusal::invalid_argument, "to remove oneself, leave the conversation");
  const Member* target = state.member(user_id);
  if (!target) return refuse(why, Refusal::not_found, "not a member: " + user_id);
  if (target->role == Role::owner && me.role != Role::owner) {
    return refuse(why, Refusal::forbidden, "an admin cannot remove an owner");
  }
  ConversationChange change;
  change.remove.push_back(user_id);
  change.actor_id = actor_id;
  change.system_json = system_json("member_removed", actor_id, {user_id});
  return change;
}

ConversationDecision decide_set_role(const ConversationState& state, const std::string& actor_id,
                                     const std::string& user_id, Role role, std::string* why) {
  auto actor = group_actor(state, actor_id, why);
  if (auto* why = std::get_if<Refusal>(&actor)) return *why;
  if (std::get<const Member*>(actor)->role != Role::owner) return refuse(why, Refusal::forbidden, "only an owner may set roles");
  const Member* target = state.member(user_id);
  if (!target) return refuse(why, Refusal::not_found, "not a member: " + user_id);
  if (target->role == role) return refuse(why, Refusal::conflict, user_id + " is already " + store::to_string(role));
  if (target->role == Role::owner && owners(state) == 1) {  // never ownerless
    return refuse(why, Refusal::conflict, "a group keeps at least one owner");
  }
  ConversationChange change;
  change.roles.emplace_back(user_id, role);
  change.actor_id = actor_id;
  change.system_json = system_json("role_changed", actor_id, {user_id}, std::nullopt, role);
  return change;
}

const Member* successor_of(const ConversationState& state, const std::string& leaver) {
  const Member* best = nullptr;
  for (Role wanted : {Role::admin, Role::member}) {
    for (const auto& m : state.members) {  // by joined_seq, then as the store lists them
      if (m.user_id == leaver || m.role != wanted) continue;
      if (!best || m.joined_seq < best->joined_seq) best = &m;
    }
    if (best) return best;
  }
  return nullptr;
}

ConversationDecision decide_leave(const ConversationState& state, const std::string& actor_id, std::string* why) {
  auto actor = group_actor(state, actor_id, why);
  if (auto* why = std::get_if<Refusal>(&actor)) return *why;
  ConversationChange change;
  change.remove.push_back(actor_id);
  change.actor_id = actor_id;
  std::vector<std::string> concerned{actor_id};
  if (std::get<const Member*>(actor)->role == Role::owner && owners(state) == 1) {
    if (const Member* heir = successor_of(state, actor_id)) {
      change.roles.emplace_back(heir->user_id, Role::owner);
      concerned.push_back(heir->user_id);
    }
  }
  // userIds: the leaver, then the new owner when ownership was handed over.
  change.system_json = system_json("member_left", actor_id, concerned);
  return change;
}

}  // namespace parley::chat
