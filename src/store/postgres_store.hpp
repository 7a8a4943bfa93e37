// The production store: PostgreSQL through libpq. A writer thread group-commits all queued
// writes in one pipelined transaction (pg_group_commit.hpp: one failing write is undone alone;
// the batch first locks the conversations it appends to, so that several stores writing to one
// conversation get one gap-free seq in commit order); writes that decide on the current state
// (a group's creation, a change the rules decide) run alone in a transaction of their own;
// two reader threads answer queries on their own connections. When the server goes away, calls
// fail at once with "database unavailable" and the connections come back by themselves. When a
// connection is lost between a COMMIT and its answer, the writer asks the database, once it is
// back, whether that transaction committed, and answers its writes accordingly; when it cannot
// learn it within about 5 s, they fail with Failure::outcome_unknown (store.hpp).
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
