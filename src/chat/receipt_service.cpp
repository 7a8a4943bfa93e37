#include "chat/receipt_service.hpp"

#include "chat/conversation_json.hpp"
#include "chat/reply.hpp"

namespace parley::chat {

void ReceiptService::mark(const std::string& user, const MarkArgs& request, store::Marker marker, Then<store::Marked> done) {
  std::int64_t at = now_ms();
  std::int64_t id = request.conversation_id;
  store_.mark(store::MarkRequest{id, user, marker, request.seq, at},
              [this, user, id, marker, at, done = std::move(done)](store::Result<store::Marked> result) {
    auto* marked = std::get_if<store::Marked>(&result);
    if (!marked) return done(store_error(std::get<store::Failure>(result), "Failed to store the marker"));
    store::Marked answer = *marked;
    done(std::move(answer));
    if (!marked->moved) return;  // a marker never moves back: nothing changed, nothing to tell
    if (marker == store::Marker::read) {
      delivery_.to_users(marked->member_ids, "read_receipt", receipt_json(id, user, marked->read_seq, marker, at));
      delivery_.to_user(user, "unread_updated", unread_updated_json(id, marked->unread_count, marked->read_seq));
    } else {
      delivery_.to_users(marked->member_ids, "delivery_receipt", receipt_json(id, user, marked->delivered_seq, marker, at));
    }
  });
}

void ReceiptService::receipts(const std::string& user, std::int64_t conversation_id, Then<store::ConversationState> done) {
  store_.get_state(conversation_id, [user, done = std::move(done)](store::Result<std::optional<store::ConversationState>> result) {
    auto* found = std::get_if<std::optional<store::ConversationState>>(&result);
    if (!found) return done(store_error(std::get<store::Failure>(result), "Failed to load receipts"));
    if (!*found || !(*found)->member(user)) {
      return done(ChatError{ErrorCode::forbidden, "Not allowed: not a member of this conversation"});
    }
    done(std::move(**found));
  });
}

}  // namespace parley::chat
