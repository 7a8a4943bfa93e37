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

// The acting member of a group, or the refusal for anyone else.
std::variant<const Member*, Refusal> group_actor(const ConversationState& state, const std::string& actor_id) {
  const Member* actor = state.member(actor_id);
  if (!actor || state.kind != ConversationKind::group) return Refusal::forbidden;
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

ConversationDecision decide_rename(const ConversationState& state, const std::string& actor_id, const std::string& title) {
  auto actor = group_actor(state, actor_id);
  if (auto* why = std::get_if<Refusal>(&actor)) return *why;
  if (!manages(*std::get<const Member*>(actor))) return Refusal::forbidden;
  ConversationChange change;
  change.title = title;
  change.actor_id = actor_id;
  change.system_json = system_json("title_changed", actor_id, {}, title);
  return change;
}

ConversationDecision decide_add(const ConversationState& state, const std::string& actor_id,
                                const std::vector<std::string>& user_ids, std::size_t max_members) {
  auto actor = group_actor(state, actor_id);
  if (auto* why = std::get_if<Refusal>(&actor)) return *why;
  if (!manages(*std::get<const Member*>(actor))) return Refusal::forbidden;
  if (user_ids.empty()) return Refusal::invalid_argument;
  ConversationChange change;
  for (const auto& id : user_ids) {
    if (state.member(id)) return Refusal::conflict;
    bool repeated = std::any_of(change.add.begin(), change.add.end(), [&](const auto& added) { return added.first == id; });
    if (repeated) return Refusal::invalid_argument;
    change.add.emplace_back(id, Role::member);
  }
  if (state.members.size() + change.add.size() > max_members) return Refusal::invalid_argument;
  change.actor_id = actor_id;
  change.system_json = system_json("members_added", actor_id, user_ids);
  return change;
}

ConversationDecision decide_remove(const ConversationState& state, const std::string& actor_id, const std::string& user_id) {
  auto actor = group_actor(state, actor_id);
  if (auto* why = std::get_if<Refusal>(&actor)) return *why;
  const Member& me = *std::get<const Member*>(actor);
  if (!manages(me)) return Refusal::forbidden;
  if (user_id == actor_id) return Refusal::invalid_argument;
  const Member* target = state.member(user_id);
  if (!target) return Refusal::not_found;
  if (target->role == Role::owner && me.role != Role::owner) return Refusal::forbidden;
  ConversationChange change;
  change.remove.push_back(user_id);
  change.actor_id = actor_id;
  change.system_json = system_json("member_removed", actor_id, {user_id});
  return change;
}

ConversationDecision decide_set_role(const ConversationState& state, const std::string& actor_id,
                                     const std::string& user_id, Role role) {
  auto actor = group_actor(state, actor_id);
  if (auto* why = std::get_if<Refusal>(&actor)) return *why;
  if (std::get<const Member*>(actor)->role != Role::owner) return Refusal::forbidden;
  const Member* target = state.member(user_id);
  if (!target) return Refusal::not_found;
  if (target->role == role) return Refusal::conflict;
  if (target->role == Role::owner && owners(state) == 1) return Refusal::conflict;  // never ownerless
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

ConversationDecision decide_leave(const ConversationState& state, const std::string& actor_id) {
  auto actor = group_actor(state, actor_id);
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
