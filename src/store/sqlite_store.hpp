// The embedded default store: one SQLite file in WAL mode. A writer thread group-commits all
// queued writes in one transaction (one fsync for the batch with synchronous=FULL); a reader
// thread answers queries on its own connection, concurrently with the writer. Conversations:
// the writer's side in sqlite_conversation_writer.hpp, the reader's in sqlite_log_reader.hpp,
// the bulk-filled index both rely on in sqlite_message_index.hpp.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace parley::store {

// When the writer indexes messages by conversation (sqlite_message_index.hpp).
struct SqliteIndexOptions {
  // A bulk starts once `bulk_rows` messages are unindexed and there are `per_conversation` of
  // them for each conversation they fall in (each conversation's hot leaf is then written once
  // for several messages), or once `max_rows` are, whichever comes first. max_rows bounds the
  // memory RecentMessages holds and the writer's pause to sort a bulk (~20 ms for 262,144).
  std::size_t bulk_rows = 65'536;
  std::size_t per_conversation = 4;
  std::size_t max_rows = 262'144;
  // Entries per indexing transaction, one transaction after each write batch: bounds how long
  // a bulk holds up the acks queued behind it (2,048 entries: a few ms).
  std::size_t chunk_rows = 2'048;
  // Conversations (and, apart, user names) the writer keeps in memory at most: past it they are
  // dropped between batches and reloaded on demand.
  std::size_t cached_conversations = 100'000;
};

// Opens (creating and migrating) the database; throws std::runtime_error with a clear message.
std::unique_ptr<Store> open_sqlite(const std::string& path, const std::string& synchronous,
                                   WriterOptions writer = {}, SqliteIndexOptions index = {});
// Applies the migrations and returns how many were applied (for `parley migrate`).
int migrate_sqlite(const std::string& path);

}  // namespace parley::store
