// The conversation service: groups and their changes under the rules of
// chat/conversation_rules (applied by the store inside its transaction), the conversation list
// and views, and the pushes each change makes (through Delivery): the system message to the
// members after it, conversation_updated to each of them with its own view, and
// conversation_removed to those it removed. Callbacks may run on a store thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chat/conversation_args.hpp"
#include "chat/delivery.hpp"
#include "chat/outcome.hpp"
#include "chat/reply.hpp"
#include "store/store.hpp"

namespace parley::chat {

class ConversationService {
 public:
  ConversationService(store::Store& store, Delivery& delivery, ConversationKinds& kinds, const ConversationLimits& limits)
      : store_(store), delivery_(delivery), kinds_(kinds), limits_(limits) {}

  // A group of `actor` (owner) and the others; answers the actor's view.
  void create_group(const std::string& actor, CreateGroupRequest request, Then<store::ConversationView> done);
  void list(const std::string& actor, const ListRequestArgs& request, Then<store::ConversationPage> done);
  void get(const std::string& actor, std::int64_t conversation_id, Then<store::ConversationView> done);

  // The changes: each answers the actor's view afterwards (nullopt when it is no longer a
  // member: it left) and the change's system entry seq.
  struct AfterChange {
    std::optional<store::ConversationView> view;
    std::int64_t seq = 0;
  };
  void rename(const std::string& actor, RenameRequest request, Then<AfterChange> done);
  void add_members(const std::string& actor, AddMembersRequest request, Then<AfterChange> done);
  void remove_member(const std::string& actor, MemberRequest request, Then<AfterChange> done);
  void set_role(const std::string& actor, MemberRequest request, Then<AfterChange> done);
  void leave(const std::string& actor, std::int64_t conversation_id, Then<AfterChange> done);

  // Called with each change just pushed to the members (set before the first change).
  void after_publish(std::function<void(const store::Changed&)> hook) { after_publish_ = std::move(hook); }

 private:
  // A rule of chat/conversation_rules, with the place for its reason.
  using Rule = std::function<store::ConversationDecision(const store::ConversationState&, std::string* why)>;
  void change(const std::string& actor, std::int64_t conversation_id, Rule rule, Then<AfterChange> done);
  void publish(const store::Changed& changed);

  store::Store& store_;
  Delivery& delivery_;
  ConversationKinds& kinds_;
  const ConversationLimits& limits_;
  std::function<void(const store::Changed&)> after_publish_;
};

}  // namespace parley::chat
