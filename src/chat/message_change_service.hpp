// The service that changes messages: edits, deletions and reactions under chat/message_rules
// (applied by the store inside its transaction, the conversation locked), each recorded as a log
// entry with its own seq, and the pushes each makes to the conversation's members through
// Delivery (message_updated, message_deleted with the members' unread counts, reaction_updated);
// and a message's earlier versions. Callbacks may run on a store thread.
#pragma once

#include <functional>
#include <string>

#include "chat/delivery.hpp"
#include "chat/message_change_args.hpp"
#include "chat/message_rules.hpp"
#include "chat/outcome.hpp"
#include "store/store.hpp"

namespace parley::chat {

class MessageChangeService {
 public:
  MessageChangeService(store::Store& store, Delivery& delivery, const MessageRules& rules)
      : store_(store), delivery_(delivery), rules_(rules) {}

  // Each answers the change as the store made it (entry nullopt: nothing needed changing).
  void edit(const std::string& actor, EditRequest request, Then<store::MessageChanged> done);
  void remove(const std::string& actor, MessageRef request, Then<store::MessageChanged> done);
  void react(const std::string& actor, ReactionRequest request, bool add, Then<store::MessageChanged> done);
  void history(const std::string& reader, MessageRef request, Then<store::MessageHistory> done);

 private:
  void change(store::MessageChange change, Then<store::MessageChanged> done);
  void publish(const store::MessageChanged& changed);

  store::Store& store_;
  Delivery& delivery_;
  const MessageRules& rules_;
};

}  // namespace parley::chat
