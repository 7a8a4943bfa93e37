// The SQLite store's reads of conversations and their logs, on the reader's connection. Each
// read runs in one snapshot; the log of a conversation is the bulk-filled conversation_messages
// (complete up to the snapshot's indexed_through) plus RecentMessages above it, and when
// RecentMessages cannot answer for the snapshot the read starts over in a new one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/recent_messages.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_conversation_rows.hpp"
#include "store/store.hpp"

namespace parley::store {

class LogReader {
 public:
  explicit LogReader(sqlite::Connection& db);

  Result<LogPage> read_log(const RecentMessages& recent, const LogRequest& request);
  Result<ConversationView> get_conversation(const RecentMessages& recent, std::int64_t id, const std::string& viewer);
  Result<ConversationPage> list_conversations(const RecentMessages& recent, const ListRequest& request);
  Result<SyncPage> sync(const RecentMessages& recent, const SyncRequest& request);
  Result<std::optional<ConversationState>> get_state(const RecentMessages& recent, std::int64_t id);
  Result<MessageHistory> message_history(const RecentMessages& recent, std::int64_t message_id, const std::string& viewer);

 private:
  struct StaleSnapshot {};  // RecentMessages cannot answer for this snapshot: take a new one

  template <class T, class Read>
  Result<T> in_snapshot(Read read);
  // Which entries `newest` reads: messages (text and system) but deleted ones, messages with
  // tombstones, or every entry (edits, deletions and reaction changes too).
  enum class Entries { live_messages, messages, all };
  // Newest first: the entries of `conversation` in `range`, at most `limit`. Without their reactions.
  std::vector<LogEntry> newest(const RecentMessages& recent, std::int64_t conversation, LogRange range,
                               std::size_t limit, Entries which);
  std::int64_t unread(const RecentMessages& recent, std::int64_t conversation, const std::string& user,
                      std::int64_t read_seq);
  std::optional<IndexEntry> newest_unindexed(const RecentMessages& recent, std::int64_t id);
  // The conversation's row and members, its tail brought up to the snapshot.
  std::optional<ConversationRow> conversation(const RecentMessages& recent, std::int64_t id);
  std::optional<ConversationView> view(const RecentMessages& recent, std::int64_t id, const std::string& viewer);

  sqlite::Connection& db_;
  ConversationRows rows_;
  sqlite::Statement begin_, end_, index_state_, by_seq_, unread_, list_;
  std::int64_t indexed_through_ = 0, max_id_ = 0;  // the snapshot's
};

}  // namespace parley::store
