// Read state events (docs/api.md "Read state"): decode, ask the ReceiptService, encode the ack.
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
  receipts_.mark(session->user_id, std::get<MarkArgs>(parsed), marker, [reply, read](Outcome<store::Marked> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    const auto& marked = std::get<store::Marked>(outcome);
    reply.succeed(read ? ",\"unreadCount\":" + std::to_string(marked.unread_count) : std::string());
  });
}

void ChatGateway::get_receipts(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "get_receipts"};
  auto* session = admitted(socket, Action::history, reply);
  if (!session) return;
  auto parsed = parse_conversation_request(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  receipts_.receipts(session->user_id, std::get<ConversationRequest>(parsed).conversation_id,
                     [reply](Outcome<store::ConversationState> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    std::string out = ",\"receipts\":[";
    bool first = true;
    for (const auto& m : std::get<store::ConversationState>(outcome).members) {
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
