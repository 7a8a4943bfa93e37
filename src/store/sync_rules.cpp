#include "store/sync_rules.hpp"

#include <algorithm>
#include <climits>

namespace parley::store::sync_rules {

namespace {

bool is_change(EntryKind kind) { return !is_message(kind); }

}  // namespace

std::int64_t known_seq(const SyncRequest& request, std::int64_t conversation_id) {
  auto it = request.known.find(conversation_id);
  return it == request.known.end() ? 0 : std::max<std::int64_t>(it->second, 0);
}

std::vector<std::int64_t> gone(const SyncRequest& request, const std::vector<std::int64_t>& mine) {
  std::vector<std::int64_t> out;
  for (const auto& [id, seq] : request.known) {
    if (!std::binary_search(mine.begin(), mine.end(), id)) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool page_full(const SyncRequest& request, const SyncPage& page, std::size_t entries) {
  if (page.conversations.empty()) return false;  // a page holds at least one
  return page.conversations.size() >= request.max_conversations || entries >= request.max_entries;
}

LogRange range(const SyncRequest& request, const ConversationView& view) {
  LogRange range;
  range.before_seq = view.state.last_seq + 1;
  std::int64_t joined = 1;
  if (const Member* me = view.state.member(request.user_id)) joined = std::max<std::int64_t>(me->joined_seq, 1);
  range.from_seq = std::max(known_seq(request, view.state.id) + 1, joined);
  return range;
}

void keep_newest(SyncedConversation& synced, std::size_t limit) {
  synced.limited = synced.entries.size() > limit;
  if (synced.limited) synced.entries.resize(limit);
  std::reverse(synced.entries.begin(), synced.entries.end());
}

std::vector<std::int64_t> changed_targets(const SyncedConversation& synced) {
  std::vector<std::int64_t> targets;
  for (const auto& e : synced.entries) {
    if (is_change(e.kind) && e.target_id) targets.push_back(e.target_id);
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  return targets;
}

void take_changed(const SyncRequest& request, SyncedConversation& synced, std::vector<LogEntry> changed) {
  const Member* me = synced.view.state.member(request.user_id);
  std::int64_t joined_seq = me ? me->joined_seq : INT64_MAX;
  for (auto& message : changed) {
    if (message.conversation_id == synced.view.state.id && message.seq >= joined_seq) {
      auto id = message.id;
      synced.changed.emplace(id, std::move(message));
    }
  }
  std::erase_if(synced.entries, [&](const LogEntry& e) { return is_change(e.kind) && !synced.changed.contains(e.target_id); });
}

}  // namespace parley::store::sync_rules
