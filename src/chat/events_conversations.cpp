// The conversation events (docs/api.md "Conversations and groups"): decode the arguments, ask
// the ConversationService, encode the ack. The rules and pushes are the service's.
#include "chat/conversation_json.hpp"
#include "chat/gateway.hpp"

namespace parley::chat {

namespace {

std::string conversation_field(const store::ConversationView& view) {
  std::string out = ",\"conversation\":";
  append_conversation(out, view);
  return out;
}

// The ack of a conversation view (create, get).
Then<store::ConversationView> answer_view(const Reply& reply) {
  return [reply](Outcome<store::ConversationView> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    reply.succeed(conversation_field(std::get<store::ConversationView>(outcome)));
  };
}

// The ack of a change: the actor's view afterwards, or (it left) the change's seq.
Then<ConversationService::AfterChange> answer_change(const Reply& reply) {
  return [reply](Outcome<ConversationService::AfterChange> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    const auto& after = std::get<ConversationService::AfterChange>(outcome);
    if (after.view) return reply.succeed(conversation_field(*after.view));
    reply.succeed(",\"seq\":" + std::to_string(after.seq));
  };
}

}  // namespace

void ChatGateway::create_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "create_conversation"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_create_conversation(first_argument(args), options_.conversations);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  conversations_.create_group(session->user_id, std::get<CreateGroupRequest>(std::move(parsed)), answer_view(reply));
}

void ChatGateway::list_conversations(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "list_conversations"};
  auto* session = admitted(socket, Action::history, reply);
  if (!session) return;
  auto parsed = parse_list_conversations(first_argument(args), options_.conversations);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  conversations_.list(session->user_id, std::get<ListRequestArgs>(parsed), [reply](Outcome<store::ConversationPage> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    const auto& page = std::get<store::ConversationPage>(outcome);
    std::string out = ",\"conversations\":[";
    for (std::size_t i = 0; i < page.conversations.size(); ++i) {
      if (i) out += ',';
      append_conversation(out, page.conversations[i]);
    }
    out += "],\"nextCursor\":";
    out += page.next ? '"' + encode_cursor(*page.next) + '"' : std::string("null");
    reply.succeed(out);
  });
}

void ChatGateway::get_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "get_conversation"};
  auto* session = admitted(socket, Action::history, reply);
  if (!session) return;
  auto parsed = parse_conversation_request(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  conversations_.get(session->user_id, std::get<ConversationRequest>(parsed).conversation_id, answer_view(reply));
}

void ChatGateway::update_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "update_conversation"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_update_conversation(first_argument(args), options_.conversations);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  conversations_.rename(session->user_id, std::get<RenameRequest>(std::move(parsed)), answer_change(reply));
}

void ChatGateway::add_members(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "add_members"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_add_members(first_argument(args), options_.conversations);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  conversations_.add_members(session->user_id, std::get<AddMembersRequest>(std::move(parsed)), answer_change(reply));
}

void ChatGateway::remove_member(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "remove_member"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_remove_member(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  conversations_.remove_member(session->user_id, std::get<MemberRequest>(std::move(parsed)), answer_change(reply));
}

void ChatGateway::set_role(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "set_role"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_set_role(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  conversations_.set_role(session->user_id, std::get<MemberRequest>(std::move(parsed)), answer_change(reply));
}

void ChatGateway::leave_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "leave_conversation"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_conversation_request(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  conversations_.leave(session->user_id, std::get<ConversationRequest>(parsed).conversation_id, answer_change(reply));
}

}  // namespace parley::chat
