// Changing messages (docs/api.md "Changing messages"): edit_message, delete_message,
// add_reaction, remove_reaction and get_message_history — decode, ask the MessageChangeService,
// encode the ack. Each change's ack carries the `seq` of its log entry (absent when nothing
// needed changing: the same text again, a reaction already there).
#include "chat/conversation_json.hpp"
#include "chat/gateway.hpp"
#include "chat/log_json.hpp"
#include "sio/json.hpp"

namespace parley::chat {

namespace {

std::string seq_field(const store::MessageChanged& changed) {
  return changed.entry ? ",\"seq\":" + std::to_string(changed.entry->seq) : std::string();
}

}  // namespace

void ChatGateway::edit_message(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "edit_message"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_edit_message(first_argument(args), options_.args);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  changes_.edit(session->user_id, std::get<EditRequest>(std::move(parsed)), [reply](Outcome<store::MessageChanged> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    const auto& changed = std::get<store::MessageChanged>(outcome);
    std::string fields = ",\"message\":";
    append_message_of(fields, changed.message, changed.state);
    reply.succeed(fields + seq_field(changed));
  });
}

void ChatGateway::delete_message(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "delete_message"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_message_ref(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  changes_.remove(session->user_id, std::get<MessageRef>(parsed), [reply](Outcome<store::MessageChanged> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    const auto& changed = std::get<store::MessageChanged>(outcome);
    reply.succeed(",\"messageId\":" + std::to_string(changed.message.id) + seq_field(changed));
  });
}

void ChatGateway::add_reaction(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  react(socket, args, std::move(ack), true);
}

void ChatGateway::remove_reaction(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  react(socket, args, std::move(ack), false);
}

void ChatGateway::react(sio::Socket& socket, const sio::Args& args, sio::Ack ack, bool add) {
  Reply reply{socket.ref(), std::move(ack), add ? "add_reaction" : "remove_reaction"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_reaction(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  changes_.react(session->user_id, std::get<ReactionRequest>(std::move(parsed)), add,
                 [reply](Outcome<store::MessageChanged> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    const auto& changed = std::get<store::MessageChanged>(outcome);
    std::string fields = ",\"messageId\":" + std::to_string(changed.message.id) + ",\"reactions\":";
    append_reactions(fields, changed.message.reactions);
    reply.succeed(fields + seq_field(changed));
  });
}

void ChatGateway::get_message_history(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "get_message_history"};
  auto* session = admitted(socket, Action::history, reply);
  if (!session) return;
  auto parsed = parse_message_ref(first_argument(args));
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  changes_.history(session->user_id, std::get<MessageRef>(parsed), [reply](Outcome<store::MessageHistory> outcome) {
    if (auto* error = std::get_if<ChatError>(&outcome)) return reply.fail(*error);
    const auto& history = std::get<store::MessageHistory>(outcome);
    std::string fields = ",\"messageId\":" + std::to_string(history.message.id) + ",\"revisions\":[";
    for (std::size_t i = 0; i < history.revisions.size(); ++i) {
      const auto& r = history.revisions[i];
      if (i) fields += ',';
      fields += "{\"content\":";
      sio::json::append_string(fields, r.content);
      fields += r.edited_at_ms ? ",\"editedAt\":\"" + iso8601_utc(r.edited_at_ms) + "\"}" : std::string(",\"editedAt\":null}");
    }
    fields += ']';
    reply.succeed(fields);
  });
}

}  // namespace parley::chat
