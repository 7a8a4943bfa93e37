// The conversation events (docs/api.md "Conversations and groups"): create, list, get, and the
// changes decided by chat/conversation_rules inside the store's transaction. Each change's
// system entry is pushed as receive_message to the members after it, its new state as
// conversation_updated to each of them (with that member's own unreadCount and role), and
// conversation_removed to those it removed.
#include "chat/conversation_json.hpp"
#include "chat/conversation_rules.hpp"
#include "chat/gateway.hpp"

namespace parley::chat {

namespace {

std::string conversation_field(const store::ConversationView& view) {
  std::string out = ",\"conversation\":";
  append_conversation(out, view);
  return out;
}

std::vector<std::string> member_ids(const store::ConversationState& state) {
  std::vector<std::string> ids;
  ids.reserve(state.members.size());
  for (const auto& m : state.members) ids.push_back(m.user_id);
  return ids;
}

}  // namespace

void ChatGateway::create_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "create_conversation"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_create_conversation(first_argument(args), options_.conversations);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  auto& request = std::get<CreateGroupRequest>(parsed);
  std::string me = session->user_id;
  std::vector<std::string> others;
  for (auto& id : request.member_ids) {
    if (id != me) others.push_back(std::move(id));
  }
  if (others.empty()) return reply.fail({ErrorCode::invalid_argument, "Invalid memberIds: at least one other user"});
  std::string system = system_json("created", me, others, request.title);
  store::NewGroup group{std::move(request.title), me, std::move(others), now_ms(), std::move(system),
                        options_.conversations.max_group_members};
  store_.create_group(std::move(group), [this, reply, me](store::Result<store::Changed> result) {
    auto* changed = std::get_if<store::Changed>(&result);
    if (!changed) return reply.fail(store_error(std::get<store::Failure>(result), "Failed to create the conversation"));
    kinds_.remember(changed->state.id, store::ConversationKind::group);
    std::int64_t id = changed->state.id;
    store_.get_conversation(id, me, [reply](store::Result<store::ConversationView> view) {
      auto* found = std::get_if<store::ConversationView>(&view);
      if (!found) return reply.fail(store_error(std::get<store::Failure>(view), "Failed to load the conversation"));
      reply.succeed(conversation_field(*found));
    });
    publish_change(*changed);
  });
}

void ChatGateway::list_conversations(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "list_conversations"};
  auto* session = admitted(socket, Action::history, reply);
  if (!session) return;
  auto parsed = parse_list_conversations(first_argument(args), options_.conversations);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  auto& request = std::get<ListRequestArgs>(parsed);
  store::ListRequest list{session->user_id, request.after, request.limit};
  store_.list_conversations(std::move(list), [reply](store::Result<store::ConversationPage> result) {
    auto* page = std::get_if<store::ConversationPage>(&result);
    if (!page) return reply.fail(store_error(std::get<store::Failure>(result), "Failed to load conversations"));
    std::string out = ",\"conversations\":[";
    for (std::size_t i = 0; i < page->conversations.size(); ++i) {
      if (i) out += ',';
      append_conversation(out, page->conversations[i]);
    }
    out += "],\"nextCursor\":";
    if (page->next) {
      out += '"' + encode_cursor(*page->next) + '"';
    } else {
      out += "null";
    }
    reply.succeed(out);
  });
}

void ChatGateway::get_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "get_conversation"};
  auto* session = admitted(socket, Action::history, reply);
  if (!session) return;
  auto parsed = parse_conversation_request(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  store_.get_conversation(std::get<ConversationRequest>(parsed).conversation_id, session->user_id,
                          [reply](store::Result<store::ConversationView> view) {
    auto* found = std::get_if<store::ConversationView>(&view);
    if (!found) return reply.fail(store_error(std::get<store::Failure>(view), "Failed to load the conversation"));
    reply.succeed(conversation_field(*found));
  });
}

void ChatGateway::update_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "update_conversation"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_update_conversation(first_argument(args), options_.conversations);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  auto request = std::get<RenameRequest>(std::move(parsed));
  std::string actor = session->user_id;
  change(reply, actor, request.conversation_id, [actor, title = std::move(request.title)](const store::ConversationState& s) {
    return decide_rename(s, actor, title);
  });
}

void ChatGateway::add_members(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "add_members"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_add_members(first_argument(args), options_.conversations);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  auto request = std::get<AddMembersRequest>(std::move(parsed));
  std::string actor = session->user_id;
  std::size_t max = options_.conversations.max_group_members;
  change(reply, actor, request.conversation_id, [actor, ids = std::move(request.user_ids), max](const store::ConversationState& s) {
    return decide_add(s, actor, ids, max);
  });
}

void ChatGateway::remove_member(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "remove_member"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_remove_member(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  auto request = std::get<MemberRequest>(std::move(parsed));
  std::string actor = session->user_id;
  change(reply, actor, request.conversation_id, [actor, user = std::move(request.user_id)](const store::ConversationState& s) {
    return decide_remove(s, actor, user);
  });
}

void ChatGateway::set_role(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "set_role"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_set_role(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  auto request = std::get<MemberRequest>(std::move(parsed));
  std::string actor = session->user_id;
  change(reply, actor, request.conversation_id,
         [actor, user = std::move(request.user_id), role = request.role](const store::ConversationState& s) {
           return decide_set_role(s, actor, user, role);
         });
}

void ChatGateway::leave_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "leave_conversation"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_conversation_request(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  std::string actor = session->user_id;
  change(reply, actor, std::get<ConversationRequest>(parsed).conversation_id,
         [actor](const store::ConversationState& s) { return decide_leave(s, actor); });
}

// Applies a rule's decision; the actor's ack carries the conversation as it now sees it (or
// nothing more, when the change took it out: leaving).
void ChatGateway::change(const Reply& reply, const std::string& actor, std::int64_t conversation_id,
                         store::DecideChange decide) {
  store_.change_conversation(conversation_id, std::move(decide), [this, reply, actor](store::Result<store::Changed> result) {
    auto* changed = std::get_if<store::Changed>(&result);
    if (!changed) return reply.fail(store_error(std::get<store::Failure>(result), "Failed to change the conversation"));
    if (!changed->state.member(actor)) {
      reply.succeed(",\"seq\":" + std::to_string(changed->entry.seq));
    } else {
      store_.get_conversation(changed->state.id, actor, [reply](store::Result<store::ConversationView> view) {
        auto* found = std::get_if<store::ConversationView>(&view);
        if (!found) return reply.succeed();  // applied; only the fresh view is missing
        reply.succeed(conversation_field(*found));
      });
    }
    publish_change(*changed);
  });
}

void ChatGateway::publish_change(const store::Changed& changed) {
  std::int64_t id = changed.state.id;
  auto audience = member_ids(changed.state);
  std::string json;
  append_entry(json, changed.entry, nullptr);
  delivery_->to_users(audience, "receive_message", std::move(json));
  if (!changed.removed_ids.empty()) {
    delivery_->to_users(changed.removed_ids, "conversation_removed", conversation_removed_json(id));
  }
  for (const auto& user : audience) push_conversation(id, user);
}

// conversation_updated with the user's own view; nothing when it is no longer a member by the
// time the view is read (a later change removed it: it got conversation_removed instead).
void ChatGateway::push_conversation(std::int64_t conversation_id, const std::string& user_id) {
  store_.get_conversation(conversation_id, user_id, [this, user_id](store::Result<store::ConversationView> view) {
    auto* found = std::get_if<store::ConversationView>(&view);
    if (!found) return;
    std::string json = "{\"conversation\":";
    append_conversation(json, *found);
    json += '}';
    delivery_->to_user(user_id, "conversation_updated", std::move(json));
  });
}

}  // namespace parley::chat
