#include "store/sqlite_message_index.hpp"

#include <algorithm>
#include <unordered_map>

namespace parley::store {

IndexWriter::IndexWriter(sqlite::Connection& db, RecentMessages& recent, SqliteIndexOptions options)
    : db_(db),
      recent_(recent),
      options_(options),
      begin_(db.handle(), "BEGIN IMMEDIATE"),
      commit_(db.handle(), "COMMIT"),
      rollback_(db.handle(), "ROLLBACK"),
      insert_(db.handle(), "INSERT OR IGNORE INTO conversation_messages (conversation_id, message_id, seq) VALUES (?, ?, ?)"),
      set_indexed_through_(db.handle(), "UPDATE message_index_state SET indexed_through = ?"),
      store_tail_(db.handle(),
                  "UPDATE conversations SET last_seq = ?1, last_activity_at = ?2, last_message_id = ?3 "
                  "WHERE id = ?4 AND last_seq < ?1") {
  options_.bulk_rows = std::max<std::size_t>(1, options_.bulk_rows);
  options_.max_rows = std::max(options_.bulk_rows, options_.max_rows);
  options_.chunk_rows = std::max<std::size_t>(1, options_.chunk_rows);
  sqlite::Statement state(db.handle(),
                          "SELECT indexed_through, (SELECT COALESCE(MAX(id), 0) FROM messages) FROM message_index_state");
  std::int64_t max_id = 0;
  if (state.step()) {
    indexed_through_ = state.int64(0);
    max_id = state.int64(1);
  }
  state.reset();
  recent_.reset(indexed_through_, max_id);
  // An entry that changes a message carries its conversation's activity (the newest message's
  // time before it), as the writer remembered it (ConversationWriter::remember_entry).
  sqlite::Statement tail(db.handle(),
                         "SELECT m.conversation_id, m.id, m.seq, m.created_at, m.kind IN ('text', 'system'), c.last_activity_at "
                         "FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id > ? ORDER BY m.id");
  tail.bind(1, indexed_through_);
  std::unordered_map<std::int64_t, std::int64_t> activity;
  while (tail.step()) {
    std::int64_t conversation = tail.int64(0);
    auto [it, first] = activity.try_emplace(conversation, tail.int64(5));
    if (tail.int64(4) != 0) it->second = tail.int64(3);
    recent_.load(IndexEntry{conversation, tail.int64(1), tail.int64(2), it->second});
  }
  tail.reset();
}

void IndexWriter::index_some() {
  if (bulk_.empty()) {
    std::size_t unindexed = recent_.size();
    std::size_t due = std::max(options_.bulk_rows, options_.per_conversation * recent_.conversations());
    if (unindexed < std::min(due, options_.max_rows)) return;
    bulk_through_ = recent_.published_through();
    bulk_ = recent_.collect(indexed_through_, bulk_through_);
    bulk_done_ = 0;
  }
  std::size_t end = std::min(bulk_.size(), bulk_done_ + options_.chunk_rows);
  bool last = end == bulk_.size();
  try {
    begin_.run();
    for (std::size_t i = bulk_done_; i < end; ++i) {
      const auto& e = bulk_[i];
      insert_.bind(1, e.conversation_id).bind(2, e.message_id).bind(3, e.seq).run();
      // The conversation's newest entry of the bulk: its row's tail catches up (readers take the
      // newer of the row and RecentMessages, so doing it before the bulk ends is safe).
      if (i + 1 == bulk_.size() || bulk_[i + 1].conversation_id != e.conversation_id) {
        store_tail_.bind(1, e.seq).bind(2, e.created_at_ms).bind(3, e.message_id).bind(4, e.conversation_id).run();
      }
    }
    if (last) set_indexed_through_.bind(1, bulk_through_).run();
    commit_.run();
  } catch (const sqlite::Error&) {
    insert_.reset();
    set_indexed_through_.reset();
    store_tail_.reset();
    try {
      rollback_.run();
    } catch (const sqlite::Error&) {
    }
    return;
  }
  bulk_done_ = end;
  if (!last) return;
  indexed_through_ = bulk_through_;
  recent_.prune_through(indexed_through_);
  bulk_.clear();
  bulk_.shrink_to_fit();
}

}  // namespace parley::store
