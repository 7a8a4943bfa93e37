// The message service: a send in either form (the seed's receiverId: the pair's direct
// conversation; or a conversationId) as steps — the sender, the receiver (seed form), the
// durable append, the answer, the push to the members at that seq — and the history of a
// conversation as the reader may see it. Callbacks may run on a store thread.
//
// The one-to-one path stays lean: the sender and receiver come from the directory's cache, the
// append is the one store round trip, and its answer carries the audience (member_ids).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "chat/args.hpp"
#include "chat/delivery.hpp"
#include "chat/delivery_memory.hpp"
#include "chat/directory.hpp"
#include "chat/message_json.hpp"
#include "chat/outcome.hpp"
#include "chat/reply.hpp"
#include "store/store.hpp"

namespace parley::chat {

struct Sender {
  std::string user_id;
  // The user to create first when creating it at connect failed (ChatSession::uncreated_user).
  std::shared_ptr<const store::User> uncreated;
};

// What the sender's ack needs of a stored message (not the whole entry: no copy of its content).
struct SentMessage {
  std::int64_t id = 0;
  std::int64_t conversation_id = 0;
  std::int64_t seq = 0;
};

struct HistoryPage {
  store::LogPage page;  // the entries of the page only, oldest first
  bool has_more = false;
};

class MessageService {
 public:
  MessageService(store::Store& store, UserDirectory& users, Delivery& delivery, DeliveryMemory& deliveries,
                 ConversationKinds& kinds)
      : store_(store), users_(users), delivery_(delivery), deliveries_(deliveries), kinds_(kinds) {}

  // `stored` answers once the entry is durable (before anyone receives it).
  void send(Sender sender, SendRequest request, Then<SentMessage> stored);
  void history(const std::string& reader, HistoryRequest request, Then<HistoryPage> done);

  // Called with each message just pushed to its conversation (set before the first send).
  void after_push(std::function<void(const store::LogEntry&)> hook) { after_push_ = std::move(hook); }

  // The sender, from the directory; created now when that failed at connect.
  void find_sender(const Sender& sender, std::function<void(store::Result<std::optional<UserInfo>>)> done);

 private:
  struct SendJob;
  void with_sender(std::shared_ptr<SendJob> job, store::Result<std::optional<UserInfo>> sender);
  void with_receiver(std::shared_ptr<SendJob> job, store::Result<std::optional<UserInfo>> receiver);
  void append(std::shared_ptr<SendJob> job);
  void push_to_conversation(std::shared_ptr<const store::Appended> appended, bool keyed);
  void push(const store::Appended& appended, const Party* receiver, bool keyed);

  store::Store& store_;
  UserDirectory& users_;
  Delivery& delivery_;
  DeliveryMemory& deliveries_;
  ConversationKinds& kinds_;
  std::function<void(const store::LogEntry&)> after_push_;
};

}  // namespace parley::chat
