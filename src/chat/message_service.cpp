#include "chat/message_service.hpp"

#include "chat/conversation_json.hpp"

namespace parley::chat {

namespace {
const ChatError send_failed{ErrorCode::unavailable, "Failed to send message"};
}  // namespace

struct MessageService::SendJob {
  store::NewEntry entry;
  Then<SentMessage> stored;
  std::optional<UserInfo> receiver;  // the seed form's
  bool keyed = false;
};

void MessageService::find_sender(const Sender& sender, std::function<void(store::Result<std::optional<UserInfo>>)> done) {
  users_.find(sender.user_id, [this, uncreated = sender.uncreated, done = std::move(done)](auto result) mutable {
    auto* found = std::get_if<std::optional<UserInfo>>(&result);
    if (!found || *found || !uncreated) return done(std::move(result));
    store_.ensure_user(*uncreated, [this, done = std::move(done)](store::Result<store::User> created) {
      if (auto* failure = store::failed(created)) return done(*failure);
      const auto& user = std::get<store::User>(created);
      users_.remember(user);
      done(std::optional<UserInfo>(UserInfo{user.id, user.name}));
    });
  });
}

void MessageService::send(Sender sender, SendRequest request, Then<SentMessage> stored) {
  auto job = std::make_shared<SendJob>();
  job->keyed = !request.client_message_id.empty();
  job->entry = store::NewEntry{{request.conversation_id, std::move(request.receiver_id)}, sender.user_id,
                               std::move(request.content), now_ms(), std::move(request.client_message_id),
                               request.reply_to_id};
  job->stored = std::move(stored);
  find_sender(sender, [this, job](auto result) { with_sender(job, std::move(result)); });
}

void MessageService::with_sender(std::shared_ptr<SendJob> job, store::Result<std::optional<UserInfo>> sender) {
  auto* found = std::get_if<std::optional<UserInfo>>(&sender);
  if (!found) return job->stored(send_failed);
  if (!*found) return job->stored(ChatError{ErrorCode::not_found, "Sender not found"});
  if (job->entry.to.id) return append(std::move(job));
  std::string receiver_id = job->entry.to.direct_with;
  users_.find(receiver_id, [this, job](auto result) { with_receiver(job, std::move(result)); });
}

void MessageService::with_receiver(std::shared_ptr<SendJob> job, store::Result<std::optional<UserInfo>> receiver) {
  auto* found = std::get_if<std::optional<UserInfo>>(&receiver);
  if (!found) return job->stored(send_failed);
  if (!*found) return job->stored(ChatError{ErrorCode::not_found, "Receiver not found"});
  job->receiver = std::move(**found);
  append(std::move(job));
}

void MessageService::append(std::shared_ptr<SendJob> job) {
  store::NewEntry entry = std::move(job->entry);
  store_.append(std::move(entry), [this, job](store::Result<store::Appended> result) {
    auto* appended = std::get_if<store::Appended>(&result);
    if (!appended) return job->stored(store_error(std::get<store::Failure>(result), "Failed to send message"));
    job->stored(SentMessage{appended->entry.id, appended->entry.conversation_id, appended->entry.seq});
    if (job->receiver) {  // the seed form: a direct conversation, and its receiver known
      // Learnt for a later send by conversationId (once: a lock per message costs the hot path).
      if (appended->created_conversation) kinds_.remember(appended->entry.conversation_id, store::ConversationKind::direct);
      Party party{job->receiver->id, job->receiver->name};
      return push(*appended, &party, job->keyed);
    }
    push_to_conversation(std::make_shared<const store::Appended>(std::move(*appended)), job->keyed);
  });
}

// The conversationId form: a group's message names no receiver; a direct one names the other
// member (the conversation's kind is learnt once, then remembered).
void MessageService::push_to_conversation(std::shared_ptr<const store::Appended> appended, bool keyed) {
  auto deliver = [this, appended, keyed](store::ConversationKind kind) {
    if (kind == store::ConversationKind::group) return push(*appended, nullptr, keyed);
    std::string other = appended->entry.sender_id;  // oneself, unless there is another member
    for (const auto& id : appended->member_ids) {
      if (id != appended->entry.sender_id) other = id;
    }
    users_.find(other, [this, appended, keyed, other](auto result) {
      auto* user = std::get_if<std::optional<UserInfo>>(&result);
      std::string name = user && *user ? (*user)->name : std::string();
      Party party{other, name};
      push(*appended, &party, keyed);
    });
  };
  std::int64_t id = appended->entry.conversation_id;
  if (auto kind = kinds_.find(id)) return deliver(*kind);
  store_.get_state(id, [this, id, deliver](store::Result<std::optional<store::ConversationState>> state) {
    auto* known = std::get_if<std::optional<store::ConversationState>>(&state);
    auto kind = known && *known ? (*known)->kind : store::ConversationKind::group;
    if (known && *known) kinds_.remember(id, kind);
    deliver(kind);
  });
}

// A message with a clientMessageId may come again (already_stored) when its sender retries.
// The database does not say whether anyone received it the first time: this process delivers
// it unless it remembers having done so (DeliveryMemory says why). The audience is the
// conversation's members at the entry's seq, as the append answered: never a non-member.
void MessageService::push(const store::Appended& appended, const Party* receiver, bool keyed) {
  if (keyed && !deliveries_.first_delivery(appended.entry.id)) return;
  std::string json;
  append_entry(json, appended.entry, receiver);
  delivery_.to_users(appended.member_ids, "receive_message", std::move(json));
  if (after_push_) after_push_(appended.entry);
}

void MessageService::history(const std::string& reader, HistoryRequest request, Then<HistoryPage> done) {
  std::size_t page = request.limit;
  store::LogRequest log{{request.conversation_id, std::move(request.other_user_id)}, reader, request.before, page + 1};
  store_.read_log(std::move(log), [page, done = std::move(done)](store::Result<store::LogPage> result) {
    auto* found = std::get_if<store::LogPage>(&result);
    if (!found) return done(store_error(std::get<store::Failure>(result), "Failed to load messages"));
    HistoryPage answer;
    answer.has_more = found->entries.size() > page;
    if (answer.has_more) found->entries.erase(found->entries.begin(), found->entries.end() - static_cast<std::ptrdiff_t>(page));
    answer.page = std::move(*found);
    done(std::move(answer));
  });
}

}  // namespace parley::chat
