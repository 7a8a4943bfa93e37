// The SQLite store's conversation index (schema migrations 2 to 4): the table
// conversation_messages (conversation_id, seq, message_id) keyed by (conversation_id, seq), complete up to
// message_index_state.indexed_through, with the messages above that in RecentMessages. The
// conversations' tails (last_seq, last_activity_at, last_message_id) are written by the same
// bulk: a conversation's row holds its tail as of the index, RecentMessages the newer entries.
// IndexWriter fills it in bulk on the writer's connection; LogReader (sqlite_log_reader.hpp)
// reads a conversation through it and RecentMessages on the reader's connection, in one snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/recent_messages.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_store.hpp"
#include "store/store.hpp"

namespace parley::store {

class IndexWriter {
 public:
  // Loads the unindexed messages of `db` into `recent` (call before readers start).
  IndexWriter(sqlite::Connection& db, RecentMessages& recent, SqliteIndexOptions options);

  // After a write batch: runs the next chunk of the bulk in progress, or starts one when enough
  // messages are unindexed. A failed chunk is rolled back and tried again next time.
  void index_some();

 private:
  sqlite::Connection& db_;
  RecentMessages& recent_;
  SqliteIndexOptions options_;
  sqlite::Statement begin_, commit_, rollback_, insert_, set_indexed_through_, store_tail_;
  std::int64_t indexed_through_ = 0;
  std::vector<IndexEntry> bulk_;  // ordered by (conversation, id)
  std::size_t bulk_done_ = 0;
  std::int64_t bulk_through_ = 0;
};

}  // namespace parley::store
