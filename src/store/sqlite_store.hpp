// The embedded default store: one SQLite file in WAL mode. A writer thread group-commits all
// queued writes in one transaction (one fsync for the batch with synchronous=FULL); a reader
// thread answers queries on its own connection, concurrently with the writer.
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace parley::store {

// Opens (creating and migrating) the database; throws std::runtime_error with a clear message.
std::unique_ptr<Store> open_sqlite(const std::string& path, const std::string& synchronous,
                                   WriterOptions writer = {});
// Applies the migrations and returns how many were applied (for `parley migrate`).
int migrate_sqlite(const std::string& path);

}  // namespace parley::store
