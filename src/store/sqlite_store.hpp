// The embedded default store: one SQLite file in WAL mode. A writer thread group-commits all
// queued writes in one transaction (one fsync for the batch with synchronous=FULL); a reader
// thread answers queries on its own connection, concurrently with the writer.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace parley::store {

// When the writer indexes messages by conversation (sqlite_message_index.hpp).
struct SqliteIndexOptions {
  // A bulk starts once this many messages are unindexed. It pays when it is several times the
  // number of conversations those messages fall in (each conversation's hot leaf is then
  // written once for several messages); it also bounds the memory RecentMessages holds.
  std::size_t bulk_rows = 65'536;
  // Entries per indexing transaction, one transaction after each write batch: bounds how long
  // a bulk holds up the acks queued behind it (2,048 entries: a few ms).
  std::size_t chunk_rows = 2'048;
};

// Opens (creating and migrating) the database; throws std::runtime_error with a clear message.
std::unique_ptr<Store> open_sqlite(const std::string& path, const std::string& synchronous,
                                   WriterOptions writer = {}, SqliteIndexOptions index = {});
// Applies the migrations and returns how many were applied (for `parley migrate`).
int migrate_sqlite(const std::string& path);

}  // namespace parley::store
