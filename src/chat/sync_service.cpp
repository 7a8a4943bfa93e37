#include "chat/sync_service.hpp"

#include "chat/reply.hpp"

namespace parley::chat {

void SyncService::sync(const std::string& user, SyncArgs request, Then<store::SyncPage> done) {
  store::SyncRequest query;
  query.user_id = user;
  query.known = std::move(request.known);
  query.limit = request.limit;
  query.after_conversation = request.after;
  query.max_conversations = limits_.conversations_per_page;
  query.max_entries = limits_.entries_per_page;
  store_.sync(std::move(query), [done = std::move(done)](store::Result<store::SyncPage> result) {
    if (auto* failure = store::failed(result)) return done(store_error(*failure, "Failed to load what was missed"));
    done(std::get<store::SyncPage>(std::move(result)));
  });
}

}  // namespace parley::chat
