#include "chat/conversation_service.hpp"

#include "chat/conversation_json.hpp"
#include "chat/conversation_rules.hpp"

namespace parley::chat {

namespace {

// What the change's members see right after it, from the change's own answer (the change's
// entry is the newest one): the shared part, then see_as() for each member in turn.
store::ConversationView shared_view(const store::Changed& changed) {
  store::ConversationView view;
  view.state = changed.state;
  view.last_message = changed.entry;
  view.last_activity_ms = changed.entry.created_at_ms;
  return view;
}

void see_as(store::ConversationView& view, const store::Changed& changed, std::size_t i) {
  const store::Member& m = changed.state.members[i];
  view.unread_count = i < changed.unread_counts.size() ? changed.unread_counts[i] : 0;
  view.last_read_seq = m.read_seq;
  view.last_delivered_seq = m.delivered_seq;
  view.my_role = m.role;
}

std::optional<store::ConversationView> view_of(const store::Changed& changed, const std::string& user_id) {
  for (std::size_t i = 0; i < changed.state.members.size(); ++i) {
    if (changed.state.members[i].user_id != user_id) continue;
    auto view = shared_view(changed);
    see_as(view, changed, i);
    return view;
  }
  return std::nullopt;
}

}  // namespace

void ConversationService::create_group(const std::string& actor, CreateGroupRequest request,
                                       Then<store::ConversationView> done) {
  std::vector<std::string> others;
  for (auto& id : request.member_ids) {
    if (id != actor) others.push_back(std::move(id));
  }
  if (others.empty()) return done(ChatError{ErrorCode::invalid_argument, "Invalid memberIds: at least one other user"});
  std::string system = system_json("created", actor, others, request.title);
  store::NewGroup group{std::move(request.title), actor, std::move(others), now_ms(), std::move(system),
                        limits_.max_group_members};
  store_.create_group(std::move(group), [this, actor, done = std::move(done)](store::Result<store::Changed> result) mutable {
    auto* changed = std::get_if<store::Changed>(&result);
    if (!changed) return done(store_error(std::get<store::Failure>(result), "Failed to create the conversation"));
    kinds_.remember(changed->state.id, store::ConversationKind::group);
    publish(*changed);
    auto view = view_of(*changed, actor);
    if (!view) return get(actor, changed->state.id, std::move(done));  // never: the creator is a member
    done(std::move(*view));
  });
}

void ConversationService::list(const std::string& actor, const ListRequestArgs& request, Then<store::ConversationPage> done) {
  store_.list_conversations(store::ListRequest{actor, request.after, request.limit},
                            [done = std::move(done)](store::Result<store::ConversationPage> result) {
    if (auto* failure = store::failed(result)) return done(store_error(*failure, "Failed to load conversations"));
    done(std::get<store::ConversationPage>(std::move(result)));
  });
}

void ConversationService::get(const std::string& actor, std::int64_t conversation_id, Then<store::ConversationView> done) {
  store_.get_conversation(conversation_id, actor, [done = std::move(done)](store::Result<store::ConversationView> result) {
    if (auto* failure = store::failed(result)) return done(store_error(*failure, "Failed to load the conversation"));
    done(std::get<store::ConversationView>(std::move(result)));
  });
}

void ConversationService::rename(const std::string& actor, RenameRequest request, Then<AfterChange> done) {
  change(actor, request.conversation_id, [actor, title = std::move(request.title)](const store::ConversationState& s, std::string* why) {
    return decide_rename(s, actor, title, why);
  }, std::move(done));
}

void ConversationService::add_members(const std::string& actor, AddMembersRequest request, Then<AfterChange> done) {
  std::size_t max = limits_.max_group_members;
  change(actor, request.conversation_id, [actor, ids = std::move(request.user_ids), max](const store::ConversationState& s, std::string* why) {
    return decide_add(s, actor, ids, max, why);
  }, std::move(done));
}

void ConversationService::remove_member(const std::string& actor, MemberRequest request, Then<AfterChange> done) {
  change(actor, request.conversation_id, [actor, user = std::move(request.user_id)](const store::ConversationState& s, std::string* why) {
    return decide_remove(s, actor, user, why);
  }, std::move(done));
}

void ConversationService::set_role(const std::string& actor, MemberRequest request, Then<AfterChange> done) {
  change(actor, request.conversation_id,
         [actor, user = std::move(request.user_id), role = request.role](const store::ConversationState& s, std::string* why) {
           return decide_set_role(s, actor, user, role, why);
         }, std::move(done));
}

void ConversationService::leave(const std::string& actor, std::int64_t conversation_id, Then<AfterChange> done) {
  change(actor, conversation_id, [actor](const store::ConversationState& s, std::string* why) { return decide_leave(s, actor, why); },
         std::move(done));
}

// The rule runs in the store's transaction; the sentence it gives for a refusal is written
// there and read here once the store has answered (after the transaction, so no race).
void ConversationService::change(const std::string& actor, std::int64_t conversation_id, Rule rule,
                                 Then<AfterChange> done) {
  auto why = std::make_shared<std::string>();
  store::DecideChange decide = [rule = std::move(rule), why](const store::ConversationState& s) { return rule(s, why.get()); };
  store_.change_conversation(conversation_id, std::move(decide),
                             [this, actor, why, done = std::move(done)](store::Result<store::Changed> result) mutable {
    auto* changed = std::get_if<store::Changed>(&result);
    if (!changed) {
      auto& failure = std::get<store::Failure>(result);
      if (failure.refusal && !why->empty()) failure.message = *why;
      return done(store_error(failure, "Failed to change the conversation"));
    }
    publish(*changed);
    done(AfterChange{view_of(*changed, actor), changed->entry.seq});  // nullopt: it left
  });
}

void ConversationService::publish(const store::Changed& changed) {
  std::int64_t id = changed.state.id;
  auto audience = changed.state.member_ids();
  std::string json;
  append_entry(json, changed.entry, nullptr);
  delivery_.to_users(audience, "receive_message", std::move(json));
  if (!changed.removed_ids.empty()) {
    delivery_.to_users(changed.removed_ids, "conversation_removed", conversation_removed_json(id));
  }
  // Every member's view from the change's own answer, sent now: in commit order with this
  // change's other pushes and with later changes' (a view read afterwards could arrive after a
  // later change's conversation_removed, at a non-member).
  auto view = shared_view(changed);
  for (std::size_t i = 0; i < changed.state.members.size(); ++i) {
    see_as(view, changed, i);
    std::string json = "{\"conversation\":";
    append_conversation(json, view);
    json += '}';
    delivery_.to_user(changed.state.members[i].user_id, "conversation_updated", std::move(json));
  }
  if (after_publish_) after_publish_(changed);
}

}  // namespace parley::chat
