// The receipt service: a member's read and delivery watermarks (never moving back), the
// receipts they push to the members, and the unread count to the user's own sockets.
#pragma once

#include <string>

#include "chat/conversation_args.hpp"
#include "chat/delivery.hpp"
#include "chat/outcome.hpp"
#include "store/store.hpp"

namespace parley::chat {

class ReceiptService {
 public:
  ReceiptService(store::Store& store, Delivery& delivery) : store_(store), delivery_(delivery) {}

  void mark(const std::string& user, const MarkArgs& request, store::Marker marker, Then<store::Marked> done);
  // Every member's markers (FORBIDDEN unless `user` is a member).
  void receipts(const std::string& user, std::int64_t conversation_id, Then<store::ConversationState> done);

 private:
  store::Store& store_;
  Delivery& delivery_;
};

}  // namespace parley::chat
