#include "store/sqlite_log_reader.hpp"

#include <algorithm>
#include <functional>
#include <thread>

#include "store/sync_rules.hpp"

namespace parley::store {

namespace {

// How often a reader starts a new snapshot when the writer is between publishing and pruning;
// each wait is a scheduler yield, the writer's side takes microseconds.
constexpr int snapshot_attempts = 10'000;

Failure not_a_member() { return refused(Refusal::forbidden, "not a member of this conversation"); }

}  // namespace

LogReader::LogReader(sqlite::Connection& db)
    : db_(db),
      rows_(db),
      begin_(db.handle(), "BEGIN"),
      end_(db.handle(), "COMMIT"),
      index_state_(db.handle(),
                   "SELECT indexed_through, (SELECT COALESCE(MAX(id), 0) FROM messages) FROM message_index_state"),
      // Walks conversation_messages down from the page's bound along its key (no scan).
      by_seq_(db.handle(), std::string("SELECT ") + entry_columns +
                               " FROM conversation_messages ci "
                               "JOIN messages m ON m.id = ci.message_id JOIN users u ON u.id = m.sender_id "
                               "WHERE ci.conversation_id = ?1 AND ci.seq >= ?2 AND ci.seq < ?3 "
                               "AND ci.message_id <= ?4 AND (?7 OR m.kind IN ('text', 'system')) "
                               "AND (?6 OR m.deleted_at IS NULL) ORDER BY ci.seq DESC LIMIT ?5"),
      unread_(db.handle(),
              "SELECT COUNT(*) FROM conversation_messages ci "
              "JOIN messages m ON m.id = ci.message_id "
              "WHERE ci.conversation_id = ?1 AND ci.seq > ?2 AND ci.message_id <= ?3 "
              "AND m.sender_id <> ?4 AND m.kind = 'text' AND m.deleted_at IS NULL"),
      // All of the user's conversations with their rows' activity: the newer activity of some is
      // in RecentMessages, so the order is made here (a few thousand pairs sort in microseconds).
      list_(db.handle(),
            "SELECT c.id, c.last_activity_at, c.last_seq FROM conversation_members cm "
            "JOIN conversations c ON c.id = cm.conversation_id WHERE cm.user_id = ?1") {}

template <class T, class Read>
Result<T> LogReader::in_snapshot(Read read) {
  for (int attempt = 0; attempt < snapshot_attempts; ++attempt) {
    bool stale = false;
    std::optional<Result<T>> result;
    try {
      begin_.run();
      // The snapshot begins with this first read and holds until the COMMIT below.
      if (index_state_.step()) {
        indexed_through_ = index_state_.int64(0);
        max_id_ = index_state_.int64(1);
      }
      index_state_.reset();
      result.emplace(read());
    } catch (const StaleSnapshot&) {
      stale = true;
    } catch (...) {
      index_state_.reset();
      by_seq_.reset();
      unread_.reset();
      list_.reset();
      try {
        end_.run();
      } catch (const sqlite::Error&) {
      }
      throw;
    }
    try {
      end_.run();
    } catch (const sqlite::Error&) {
    }
    if (!stale) return std::move(*result);
    std::this_thread::yield();
  }
  return Failure{"read: the message index did not settle"};
}

std::vector<LogEntry> LogReader::newest(const RecentMessages& recent, std::int64_t conversation, LogRange range,
                                        std::size_t limit, Entries which) {
  bool with_deleted = which != Entries::live_messages;
  bool every_kind = which == Entries::all;
  std::vector<LogEntry> entries;
  if (limit == 0) return entries;
  // The unindexed entries above indexed_through are the newest; the index holds those below.
  LogRange tail = range;
  while (entries.size() < limit) {
    std::size_t wanted = limit - entries.size();
    auto found = recent.entries_for(conversation, indexed_through_, max_id_, tail, wanted);
    if (!found) throw StaleSnapshot{};
    for (const auto& e : *found) {
      auto entry = rows_.entry(e.message_id);
      if (entry && (every_kind || is_message(entry->kind)) && (with_deleted || !entry->deleted)) {
        entries.push_back(std::move(*entry));
      }
    }
    if (found->size() < wanted) break;
    tail.before_id = found->back().message_id;
  }
  if (entries.size() == limit) return entries;
  auto left = static_cast<std::int64_t>(limit - entries.size());
  by_seq_.bind(1, conversation).bind(2, range.from_seq).bind(3, range.before_seq).bind(4, indexed_through_).bind(5, left)
      .bind(6, with_deleted ? 1 : 0).bind(7, every_kind ? 1 : 0);
  while (by_seq_.step()) entries.push_back(read_entry(by_seq_));
  by_seq_.reset();
  return entries;
}

std::int64_t LogReader::unread(const RecentMessages& recent, std::int64_t conversation, const std::string& user,
                               std::int64_t read_seq) {
  std::int64_t count = 0;
  unread_.bind(1, conversation).bind(2, read_seq).bind(3, indexed_through_).bind(4, user);
  if (unread_.step()) count = unread_.int64(0);
  unread_.reset();
  auto tail = recent.entries_for(conversation, indexed_through_, max_id_, LogRange{.from_seq = read_seq + 1}, SIZE_MAX);
  if (!tail) throw StaleSnapshot{};
  for (const auto& e : *tail) {
    auto entry = rows_.entry(e.message_id);
    if (entry && !entry->deleted && entry->kind == EntryKind::text && entry->sender_id != user) ++count;
  }
  return count;
}

// The newest entry above the snapshot's index, if the conversation has one.
std::optional<IndexEntry> LogReader::newest_unindexed(const RecentMessages& recent, std::int64_t id) {
  auto newest = recent.entries_for(id, indexed_through_, max_id_, LogRange{}, 1);
  if (!newest) throw StaleSnapshot{};
  if (newest->empty()) return std::nullopt;
  return newest->front();
}

std::optional<ConversationRow> LogReader::conversation(const RecentMessages& recent, std::int64_t id) {
  auto row = rows_.conversation(id);
  if (!row) return std::nullopt;
  // The row's tail is as of the index; newer entries are in RecentMessages.
  if (auto e = newest_unindexed(recent, id); e && e->seq > row->state.last_seq) {
    row->state.last_seq = e->seq;
    row->last_activity_ms = e->created_at_ms;
    row->last_message_id = e->message_id;
  }
  row->state.members = rows_.members(id);
  return row;
}

std::optional<ConversationView> LogReader::view(const RecentMessages& recent, std::int64_t id,
                                                const std::string& viewer) {
  auto row = conversation(recent, id);
  if (!row) return std::nullopt;
  const Member* me = row->state.member(viewer);
  if (!me) return std::nullopt;
  ConversationView view;
  view.unread_count = unread(recent, id, viewer, me->read_seq);
  view.last_read_seq = me->read_seq;
  view.last_delivered_seq = me->delivered_seq;
  view.my_role = me->role;
  view.last_activity_ms = row->last_activity_ms;
  // The newest message not deleted (the row's last_message_id is the newest entry of any kind).
  auto last = newest(recent, id, LogRange{}, 1, Entries::live_messages);
  if (!last.empty()) {
    rows_.add_reactions(last);
    view.last_message = std::move(last.front());
  }
  view.state = std::move(row->state);
  return view;
}

Result<LogPage> LogReader::read_log(const RecentMessages& recent, const LogRequest& request) {
  return in_snapshot<LogPage>([&]() -> Result<LogPage> {
    LogPage page;
    std::int64_t id = request.of.id;
    if (!id) {
      auto found = rows_.direct_conversation(direct_key(request.viewer_id, request.of.direct_with));
      if (!found) return page;  // the pair has no conversation yet
      id = *found;
    }
    auto row = conversation(recent, id);
    const Member* me = row ? row->state.member(request.viewer_id) : nullptr;
    if (!me) return not_a_member();
    LogRange range{.from_seq = std::max<std::int64_t>(me->joined_seq, 1),
                   .before_seq = request.before_seq.value_or(INT64_MAX)};
    page.entries = newest(recent, id, range, request.limit, Entries::messages);
    std::reverse(page.entries.begin(), page.entries.end());
    rows_.add_reactions(page.entries);
    page.state = std::move(row->state);
    return page;
  });
}

Result<ConversationView> LogReader::get_conversation(const RecentMessages& recent, std::int64_t id,
                                                     const std::string& viewer) {
  return in_snapshot<ConversationView>([&]() -> Result<ConversationView> {
    auto found = view(recent, id, viewer);
    if (!found) return not_a_member();
    return std::move(*found);
  });
}

Result<ConversationPage> LogReader::list_conversations(const RecentMessages& recent, const ListRequest& request) {
  return in_snapshot<ConversationPage>([&]() -> Result<ConversationPage> {
    using Key = std::pair<std::int64_t, std::int64_t>;  // (activity, id), the list's order
    Key after = request.after.value_or(Key{INT64_MAX, INT64_MAX});
    std::vector<Key> keys;
    std::vector<std::int64_t> ids, last_seqs;
    list_.bind(1, request.user_id);
    while (list_.step()) {
      keys.push_back(Key{list_.int64(1), list_.int64(0)});
      ids.push_back(list_.int64(0));
      last_seqs.push_back(list_.int64(2));
    }
    list_.reset();
    std::vector<std::optional<IndexEntry>> newest;
    if (!recent.newest_of(ids, indexed_through_, max_id_, newest)) throw StaleSnapshot{};
    for (std::size_t i = 0; i < keys.size(); ++i) {
      // As conversation() brings a row up to the snapshot, so that the cursor matches the views.
      if (newest[i] && newest[i]->seq > last_seqs[i]) keys[i].first = newest[i]->created_at_ms;
    }
    std::erase_if(keys, [&](const Key& k) { return !(k < after); });
    std::size_t wanted = std::min(keys.size(), request.limit + 1);
    std::partial_sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(wanted), keys.end(), std::greater<>());
    keys.resize(wanted);
    ConversationPage page;
    bool more = keys.size() > request.limit;
    if (more) keys.resize(request.limit);
    for (const auto& [activity, id] : keys) {
      if (auto v = view(recent, id, request.user_id)) page.conversations.push_back(std::move(*v));
    }
    if (more && !page.conversations.empty()) {
      const auto& last = page.conversations.back();
      page.next = std::pair{last.last_activity_ms, last.state.id};
    }
    return page;
  });
}

// The user's conversations are read whole (a few thousand pairs), then those with entries past
// the client's are read one by one in ascending id order until the page is full.
Result<SyncPage> LogReader::sync(const RecentMessages& recent, const SyncRequest& request) {
  return in_snapshot<SyncPage>([&]() -> Result<SyncPage> {
    std::vector<std::pair<std::int64_t, std::int64_t>> mine;  // (id, last_seq), brought up to the snapshot
    std::vector<std::int64_t> ids;
    list_.bind(1, request.user_id);
    while (list_.step()) {
      mine.emplace_back(list_.int64(0), list_.int64(2));
      ids.push_back(list_.int64(0));
    }
    list_.reset();
    std::vector<std::optional<IndexEntry>> newest_entries;
    if (!recent.newest_of(ids, indexed_through_, max_id_, newest_entries)) throw StaleSnapshot{};
    for (std::size_t i = 0; i < mine.size(); ++i) {
      if (newest_entries[i]) mine[i].second = std::max(mine[i].second, newest_entries[i]->seq);
    }
    std::sort(mine.begin(), mine.end());
    std::sort(ids.begin(), ids.end());
    SyncPage page;
    if (request.after_conversation == 0) page.gone = sync_rules::gone(request, ids);
    std::size_t entries = 0;
    for (const auto& [id, last_seq] : mine) {
      if (id <= request.after_conversation || last_seq <= sync_rules::known_seq(request, id)) continue;
      if (sync_rules::page_full(request, page, entries)) {
        page.next = page.conversations.back().view.state.id;
        break;
      }
      auto v = view(recent, id, request.user_id);
      if (!v) continue;
      SyncedConversation synced{.view = std::move(*v)};
      LogRange range = sync_rules::range(request, synced.view);
      if (range.from_seq >= range.before_seq) continue;  // it joined after the client's last seq
      synced.entries = newest(recent, id, range, request.limit + 1, Entries::all);
      sync_rules::keep_newest(synced, request.limit);
      rows_.add_reactions(synced.entries);
      std::vector<LogEntry> changed;
      for (std::int64_t target : sync_rules::changed_targets(synced)) {
        if (auto message = rows_.entry(target)) changed.push_back(std::move(*message));
      }
      rows_.add_reactions(changed);
      sync_rules::take_changed(request, synced, std::move(changed));
      entries += synced.entries.size();
      page.conversations.push_back(std::move(synced));
    }
    return page;
  });
}

Result<MessageHistory> LogReader::message_history(const RecentMessages& recent, std::int64_t message_id,
                                                  const std::string& viewer) {
  return in_snapshot<MessageHistory>([&]() -> Result<MessageHistory> {
    auto message = rows_.entry(message_id);
    if (!message || !is_message(message->kind)) return refused(Refusal::not_found, "message not found");
    auto row = conversation(recent, message->conversation_id);
    const Member* me = row ? row->state.member(viewer) : nullptr;
    if (!me || message->seq < me->joined_seq) return not_a_member();
    MessageHistory history;
    if (!message->deleted) {
      history.revisions = rows_.earlier_versions(*message);
      history.revisions.push_back(Revision{message->content, message->edited_at_ms});
    }
    std::vector<LogEntry> one{std::move(*message)};
    rows_.add_reactions(one);
    history.message = std::move(one.front());
    return history;
  });
}

Result<std::optional<ConversationState>> LogReader::get_state(const RecentMessages& recent, std::int64_t id) {
  return in_snapshot<std::optional<ConversationState>>([&]() -> Result<std::optional<ConversationState>> {
    auto row = conversation(recent, id);
    if (!row) return std::nullopt;
    return std::move(row->state);
  });
}

}  // namespace parley::store
