// send_message and get_messages, in both forms (docs/api.md): decode, ask the MessageService,
// encode the ack and the page.
#include "chat/conversation_json.hpp"
#include "chat/gateway.hpp"

namespace parley::chat {

namespace {
// A hint only: how soon a read in flight usually ends.
constexpr std::int64_t history_busy_retry_ms = 100;
}  // namespace

void ChatGateway::send_message(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "send_message"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_send_message(first_argument(args), options_.args);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  messages_.send(Sender{session->user_id, session->uncreated_user}, std::get<SendRequest>(std::move(parsed)),
                 [reply](Outcome<SentMessage> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    const auto& entry = std::get<SentMessage>(outcome);
    reply.succeed(",\"messageId\":" + std::to_string(entry.id) + ",\"conversationId\":" +
                  std::to_string(entry.conversation_id) + ",\"seq\":" + std::to_string(entry.seq));
  });
}

void ChatGateway::get_messages(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "get_messages"};
  auto* session = admitted(socket, Action::history, reply);
  if (!session) return;
  auto parsed = parse_get_messages(first_argument(args), options_.args);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  if (session->history_reads >= options_.max_history_reads_in_flight) {
    return reply.fail({ErrorCode::rate_limited, "Too many requests", history_busy_retry_ms});
  }
  ++session->history_reads;
  // Every answer ends the read on the socket's loop: the list, then the ack (in that order,
  // as clients expect), or the failure.
  messages_.history(session->user_id, std::get<HistoryRequest>(std::move(parsed)), [reply](Outcome<HistoryPage> outcome) {
    std::string json;
    if (auto* answer = std::get_if<HistoryPage>(&outcome)) {
      json = "[";
      const auto& state = answer->page.state;
      for (std::size_t i = 0; i < answer->page.entries.size(); ++i) {
        const auto& e = answer->page.entries[i];
        if (i) json += ',';
        const store::Member* receiver = direct_receiver(state, e.sender_id);
        Party party{receiver ? std::string_view(receiver->user_id) : "", receiver ? std::string_view(receiver->name) : ""};
        append_entry(json, e, receiver ? &party : nullptr);
      }
      json += ']';
    }
    reply.socket.post([reply, outcome = std::move(outcome), json = std::move(json)](sio::Socket& s) mutable {
      if (auto* session = std::any_cast<ChatSession>(&s.data); session && session->history_reads > 0) {
        --session->history_reads;
      }
      if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
      s.emit("messages_list", sio::RawJson{std::move(json)});
      reply.succeed(std::get<HistoryPage>(outcome).has_more ? ",\"hasMore\":true" : ",\"hasMore\":false");
    });
  });
}

}  // namespace parley::chat
