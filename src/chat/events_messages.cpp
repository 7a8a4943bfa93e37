// send_message and get_messages, in both forms: the seed's (receiverId / otherUserId: the
// direct conversation of the pair) and by conversationId (docs/api.md).
#include "chat/conversation_json.hpp"
#include "chat/gateway.hpp"

namespace parley::chat {

namespace {

// A hint only: how soon a read in flight usually ends.
constexpr std::int64_t history_busy_retry_ms = 100;

std::string sent_ack(const store::LogEntry& entry) {
  return ",\"messageId\":" + std::to_string(entry.id) + ",\"conversationId\":" + std::to_string(entry.conversation_id) +
         ",\"seq\":" + std::to_string(entry.seq);
}

}  // namespace

void ChatGateway::send_message(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "send_message"};
  auto* session = admitted(socket, Action::send, reply);
  if (!session) return;
  auto parsed = parse_send_message(first_argument(args), options_.args);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  auto& request = std::get<SendRequest>(parsed);
  bool keyed = !request.client_message_id.empty();
  store::NewEntry entry{{request.conversation_id, std::move(request.receiver_id)}, session->user_id,
                        std::move(request.content), now_ms(), std::move(request.client_message_id)};

  // The sender (created now if that failed at connect), then for the seed's form the receiver
  // (NOT_FOUND when unknown, its name for the push), then the durable write, then delivery.
  // Each step may finish on a store thread; everything it calls is thread-safe.
  find_sender(*session, [this, reply, keyed, entry = std::move(entry)](auto sender_result) mutable {
    auto* sender = std::get_if<std::optional<UserInfo>>(&sender_result);
    if (!sender) return reply.fail({ErrorCode::unavailable, "Failed to send message"});
    if (!*sender) return reply.fail({ErrorCode::not_found, "Sender not found"});
    if (entry.to.id) return send_to_conversation(reply, std::move(entry), keyed);
    std::string receiver_id = entry.to.direct_with;
    users_.find(receiver_id, [this, reply, keyed, entry = std::move(entry)](auto receiver_result) mutable {
      auto* receiver = std::get_if<std::optional<UserInfo>>(&receiver_result);
      if (!receiver) return reply.fail({ErrorCode::unavailable, "Failed to send message"});
      if (!*receiver) return reply.fail({ErrorCode::not_found, "Receiver not found"});
      store_.append(std::move(entry), [this, reply, keyed, receiver = **receiver](store::Result<store::Appended> stored) {
        auto* appended = std::get_if<store::Appended>(&stored);
        if (!appended) return reply.fail(store_error(std::get<store::Failure>(stored), "Failed to send message"));
        kinds_.remember(appended->entry.conversation_id, store::ConversationKind::direct);
        reply.succeed(sent_ack(appended->entry));
        Party party{receiver.id, receiver.name};
        push_entry(*appended, &party, keyed);
      });
    });
  });
}

// The conversationId form: a group's message names no receiver; a direct one names the other
// member (the conversation's kind is learnt once, then remembered).
void ChatGateway::send_to_conversation(const Reply& reply, store::NewEntry entry, bool keyed) {
  store_.append(std::move(entry), [this, reply, keyed](store::Result<store::Appended> stored) {
    auto* found = std::get_if<store::Appended>(&stored);
    if (!found) return reply.fail(store_error(std::get<store::Failure>(stored), "Failed to send message"));
    reply.succeed(sent_ack(found->entry));
    auto appended = std::make_shared<store::Appended>(std::move(*found));
    auto push = [this, appended, keyed](store::ConversationKind kind) {
      if (kind == store::ConversationKind::group) return push_entry(*appended, nullptr, keyed);
      std::string other = appended->entry.sender_id;
      for (const auto& id : appended->member_ids) {
        if (id != other) {
          other = id;
          break;
        }
      }
      users_.find(other, [this, appended, keyed, other](auto result) {
        auto* user = std::get_if<std::optional<UserInfo>>(&result);
        std::string name = user && *user ? (*user)->name : std::string();
        Party party{other, name};
        push_entry(*appended, &party, keyed);
      });
    };
    std::int64_t id = appended->entry.conversation_id;
    if (auto kind = kinds_.find(id)) return push(*kind);
    store_.get_state(id, [this, id, push](store::Result<std::optional<store::ConversationState>> state) {
      auto* known = std::get_if<std::optional<store::ConversationState>>(&state);
      auto kind = known && *known ? (*known)->kind : store::ConversationKind::group;
      if (known && *known) kinds_.remember(id, kind);
      push(kind);
    });
  });
}

// A message with a clientMessageId may come again (already_stored) when its sender retries.
// The database does not say whether anyone received it the first time: this process delivers
// it unless it remembers having done so (DeliveryMemory says why). The audience is the
// conversation's members at the entry's seq, as the append answered: never a non-member.
void ChatGateway::push_entry(const store::Appended& appended, const Party* receiver, bool keyed) {
  if (keyed && !deliveries_.first_delivery(appended.entry.id)) return;
  std::string json;
  append_entry(json, appended.entry, receiver);
  delivery_->to_users(appended.member_ids, "receive_message", std::move(json));
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
  auto request = std::get<HistoryRequest>(std::move(parsed));

  // Every answer ends the read on the socket's loop: the list, then the ack (in that order,
  // as clients expect), or the failure.
  auto finish = [reply](std::optional<std::string> list, bool has_more, std::optional<ChatError> error) {
    reply.socket.post([reply, list = std::move(list), has_more, error = std::move(error)](sio::Socket& s) mutable {
      if (auto* session = std::any_cast<ChatSession>(&s.data); session && session->history_reads > 0) {
        --session->history_reads;
      }
      if (error) return reply.fail(*error);
      s.emit("messages_list", sio::RawJson{std::move(*list)});
      reply.succeed(has_more ? ",\"hasMore\":true" : ",\"hasMore\":false");
    });
  };
  std::size_t page = request.limit;
  store::LogRequest log{{request.conversation_id, std::move(request.other_user_id)}, session->user_id, request.before,
                        page + 1};
  store_.read_log(std::move(log), [finish, page](store::Result<store::LogPage> result) {
    auto* found = std::get_if<store::LogPage>(&result);
    if (!found) return finish(std::nullopt, false, store_error(std::get<store::Failure>(result), "Failed to load messages"));
    const auto& entries = found->entries;
    bool has_more = entries.size() > page;
    std::size_t first = has_more ? entries.size() - page : 0;
    std::string json = "[";
    for (std::size_t i = first; i < entries.size(); ++i) {
      const auto& e = entries[i];
      if (i > first) json += ',';
      const store::Member* receiver = direct_receiver(found->state, e.sender_id);
      Party party{receiver ? std::string_view(receiver->user_id) : "", receiver ? std::string_view(receiver->name) : ""};
      append_entry(json, e, receiver ? &party : nullptr);
    }
    json += ']';
    finish(std::move(json), has_more, std::nullopt);
  });
}

}  // namespace parley::chat
