// Live signals (docs/api.md "Live signals"): decode, ask the TypingService or the
// PresenceService, answer.
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

void ChatGateway::get_presence(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "get_presence"};
  auto* session = admitted(socket, Action::history, reply);
  if (!session) return;
  auto parsed = parse_get_presence(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  presence_.get(session->user_id, std::get<PresenceRequest>(std::move(parsed)).user_ids,
                [reply](Outcome<std::vector<PresenceAnswer>> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    std::string fields = ",\"presence\":[";
    const auto& answers = std::get<std::vector<PresenceAnswer>>(outcome);
    for (std::size_t i = 0; i < answers.size(); ++i) {
      if (i) fields += ',';
      fields += presence_json(answers[i].user_id, answers[i].online, answers[i].last_seen_at_ms);
    }
    fields += ']';
    reply.succeed(fields);
  });
}

void ChatGateway::set_presence(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "set_presence"};
  auto* session = admitted(socket, Action::mark, reply);
  if (!session) return;
  auto parsed = parse_set_presence(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  presence_.set_appear_offline(session->user_id, std::get<AppearOfflineRequest>(parsed).appear_offline,
                               [reply](Outcome<bool> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    reply.succeed(std::get<bool>(outcome) ? ",\"appearOffline\":true" : ",\"appearOffline\":false");
  });
}

}  // namespace parley::chat
