// Catching up (docs/api.md "Catching up"): decode `sync`, ask the SyncService, encode the ack.
#include "chat/gateway.hpp"
#include "chat/log_json.hpp"

namespace parley::chat {

void ChatGateway::sync(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "sync"};
  auto* session = admitted(socket, Action::history, reply);
  if (!session) return;
  auto parsed = parse_sync(first_argument(args), options_.sync);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  sync_.sync(session->user_id, std::get<SyncArgs>(std::move(parsed)), [reply](Outcome<store::SyncPage> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    const auto& page = std::get<store::SyncPage>(outcome);
    std::string out = ",\"conversations\":[";
    for (std::size_t i = 0; i < page.conversations.size(); ++i) {
      if (i) out += ',';
      append_synced(out, page.conversations[i]);
    }
    out += "],\"removedConversationIds\":[";
    for (std::size_t i = 0; i < page.gone.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(page.gone[i]);
    }
    out += "],\"nextCursor\":";
    out += page.next ? '"' + encode_sync_cursor(*page.next) + '"' : std::string("null");
    reply.succeed(out);
  });
}

}  // namespace parley::chat
