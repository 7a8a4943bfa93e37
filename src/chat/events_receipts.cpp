// Read state (docs/api.md "Read state"): the read and delivery watermarks of a member, which
// never move backwards, their receipts to the members, and the unread count to the user's own
// sockets.
#include "chat/conversation_json.hpp"
#include "chat/gateway.hpp"
#include "sio/json.hpp"

namespace parley::chat {

void ChatGateway::mark_read(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  mark(socket, args, std::move(ack), store::Marker::read);
}

void ChatGateway::mark_delivered(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  mark(socket, args, std::move(ack), store::Marker::delivered);
}

void ChatGateway::mark(sio::Socket& socket, const sio::Args& args, sio::Ack ack, store::Marker marker) {
  bool read = marker == store::Marker::read;
  Reply reply{socket.ref(), std::move(ack), read ? "mark_read" : "mark_delivered"};
  auto* session = admitted(socket, Action::mark, reply);
  if (!session) return;
  auto parsed = parse_mark(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  const auto& request = std::get<MarkArgs>(parsed);
  std::int64_t at = now_ms();
  store::MarkRequest mark{request.conversation_id, session->user_id, marker, request.seq, at};
  std::int64_t id = request.conversation_id;
  std::string user = session->user_id;
  store_.mark(std::move(mark), [this, reply, read, id, user, at](store::Result<store::Marked> result) {
    auto* marked = std::get_if<store::Marked>(&result);
    if (!marked) return reply.fail(store_error(std::get<store::Failure>(result), "Failed to store the marker"));
    reply.succeed(read ? ",\"unreadCount\":" + std::to_string(marked->unread_count) : std::string());
    if (!marked->moved) return;  // a marker never moves back: nothing changed, nothing to tell
    if (read) {
      delivery_->to_users(marked->member_ids, "read_receipt",
                          receipt_json(id, user, marked->read_seq, store::Marker::read, at));
      delivery_->to_user(user, "unread_updated", unread_updated_json(id, marked->unread_count, marked->read_seq));
    } else {
      delivery_->to_users(marked->member_ids, "delivery_receipt",
                          receipt_json(id, user, marked->delivered_seq, store::Marker::delivered, at));
    }
  });
}

void ChatGateway::get_receipts(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "get_receipts"};
  auto* session = admitted(socket, Action::history, reply);
  if (!session) return;
  auto parsed = parse_conversation_request(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  std::string me = session->user_id;
  store_.get_state(std::get<ConversationRequest>(parsed).conversation_id,
                   [reply, me](store::Result<std::optional<store::ConversationState>> result) {
    auto* found = std::get_if<std::optional<store::ConversationState>>(&result);
    if (!found) return reply.fail(store_error(std::get<store::Failure>(result), "Failed to load receipts"));
    if (!*found || !(*found)->member(me)) {
      return reply.fail({ErrorCode::forbidden, "Not allowed: not a member of this conversation"});
    }
    std::string out = ",\"receipts\":[";
    bool first = true;
    for (const auto& m : (*found)->members) {
      if (!first) out += ',';
      first = false;
      out += "{\"userId\":";
      sio::json::append_string(out, m.user_id);
      out += ",\"readSeq\":" + std::to_string(m.read_seq) + ",\"deliveredSeq\":" + std::to_string(m.delivered_seq) + "}";
    }
    out += ']';
    reply.succeed(out);
  });
}

}  // namespace parley::chat
