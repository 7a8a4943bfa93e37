// Catching up (docs/api.md "Catching up"): what a client that was away missed, conversation by
// conversation, from the store's log (store::Store::sync); the encoding is chat/log_json's.
#pragma once

#include <string>

#include "chat/outcome.hpp"
#include "chat/sync_args.hpp"
#include "store/store.hpp"

namespace parley::chat {

class SyncService {
 public:
  SyncService(store::Store& store, const SyncLimits& limits) : store_(store), limits_(limits) {}

  // One page for `user` (only its conversations, each from its joining on).
  void sync(const std::string& user, SyncArgs request, Then<store::SyncPage> done);

 private:
  store::Store& store_;
  const SyncLimits& limits_;
};

}  // namespace parley::chat
