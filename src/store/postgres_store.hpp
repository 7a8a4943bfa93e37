// The production store: PostgreSQL through libpq. A writer thread group-commits all queued
// writes in one pipelined transaction (a savepoint per write, so one failing write is undone
// alone); two reader threads answer queries on their own connections. When the server goes
// away, calls fail at once with "database unavailable" and the connections come back by
// themselves.
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace parley::store {

// Connects, applies pending migrations and starts the store's threads; throws
// std::runtime_error with a clear message (unreachable server, database newer than this build).
std::unique_ptr<Store> open_postgres(const std::string& url, WriterOptions writer = {});
// Applies the migrations and returns how many were applied (for `parley migrate`).
int migrate_postgres(const std::string& url);
// The URL without its password, for logs: "postgres://user@host:port/dbname".
std::string describe_postgres(const std::string& url);

}  // namespace parley::store
