// Live signals (docs/api.md "Live signals"): decode, ask the TypingService, answer.
#include "chat/gateway.hpp"

namespace parley::chat {

void ChatGateway::typing(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "typing"};
  auto* session = admitted(socket, Action::typing, reply);
  if (!session) return;
  auto parsed = parse_typing(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  typing_.typing(session->user_id, std::get<TypingRequest>(parsed), [reply](Outcome<bool> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    reply.succeed();
  });
}

}  // namespace parley::chat
