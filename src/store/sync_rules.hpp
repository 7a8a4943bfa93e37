// What both stores' sync reads share (Store::sync, docs/api.md "Catching up"): which
// conversations a page holds, which part of each log, and which changed messages go with it.
// Pure: the stores read the rows, these decide.
#pragma once

#include <cstdint>
#include <vector>

#include "store/conversations.hpp"
#include "store/recent_messages.hpp"

namespace parley::store::sync_rules {

// The last seq the client has of a conversation (0: none).
std::int64_t known_seq(const SyncRequest& request, std::int64_t conversation_id);

// The conversations of request.known that are not among `mine` (the user's, ascending), ascending.
std::vector<std::int64_t> gone(const SyncRequest& request, const std::vector<std::int64_t>& mine);

// Whether `page` (with `entries` entries in all) takes no further conversation.
bool page_full(const SyncRequest& request, const SyncPage& page, std::size_t entries);

// The entries due of a conversation the member sees as `view`: above the client's last seq and
// from the member's joining on, up to the view's last seq. Empty (from_seq >= before_seq) when
// nothing is due.
LogRange range(const SyncRequest& request, const ConversationView& view);

// `synced.entries` as read, newest first and at most limit + 1: keeps the newest `limit`
// (limited when there were more) and puts them oldest first.
void keep_newest(SyncedConversation& synced, std::size_t limit);

// The ids of the messages that the change entries of `synced.entries` changed, ascending, once each.
std::vector<std::int64_t> changed_targets(const SyncedConversation& synced);

// Files the changed messages as read (with their reactions) into synced.changed, and drops the
// change entries the member may not see: those of a message from before its joining (or gone).
void take_changed(const SyncRequest& request, SyncedConversation& synced, std::vector<LogEntry> changed);

}  // namespace parley::store::sync_rules
