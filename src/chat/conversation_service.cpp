#include "chat/conversation_service.hpp"

#include "chat/conversation_json.hpp"
#include "chat/conversation_rules.hpp"

namespace parley::chat {

namespace {

std::vector<std::string> member_ids(const store::ConversationState& state) {
  std::vector<std::string> ids;
  ids.reserve(state.members.size());
  for (const auto& m : state.members) ids.push_back(m.user_id);
  return ids;
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
    get(actor, changed->state.id, std::move(done));
    publish(*changed);
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
    std::int64_t seq = changed->entry.seq;
    if (!changed->state.member(actor)) {
      done(AfterChange{std::nullopt, seq});
    } else {
      get(actor, changed->state.id, [seq, done = std::move(done)](Outcome<store::ConversationView> view) {
        auto* found = std::get_if<store::ConversationView>(&view);
        // Applied either way; only the fresh view may be missing.
        done(AfterChange{found ? std::optional(std::move(*found)) : std::nullopt, seq});
      });
    }
    publish(*changed);
  });
}

void ConversationService::publish(const store::Changed& changed) {
  std::int64_t id = changed.state.id;
  auto audience = member_ids(changed.state);
  std::string json;
  append_entry(json, changed.entry, nullptr);
  delivery_.to_users(audience, "receive_message", std::move(json));
  if (!changed.removed_ids.empty()) {
    delivery_.to_users(changed.removed_ids, "conversation_removed", conversation_removed_json(id));
  }
  for (const auto& user : audience) push_view(id, user);
}

// conversation_updated with the user's own view; nothing when it is no longer a member by the
// time the view is read (a later change removed it: it got conversation_removed instead).
void ConversationService::push_view(std::int64_t conversation_id, const std::string& user_id) {
  store_.get_conversation(conversation_id, user_id, [this, user_id](store::Result<store::ConversationView> view) {
    auto* found = std::get_if<store::ConversationView>(&view);
    if (!found) return;
    std::string json = "{\"conversation\":";
    append_conversation(json, *found);
    json += '}';
    delivery_.to_user(user_id, "conversation_updated", std::move(json));
  });
}

}  // namespace parley::chat
