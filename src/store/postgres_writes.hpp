// The PostgreSQL store's writes: each a job for the group commit (pg_group_commit.hpp) that
// sends its statements, collects their results and, once the batch is over, answers its caller.
// Failures that callers expect (a username already taken) are answers, never errors, so they
// never cost the batch a round trip.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "store/pg_connection.hpp"
#include "store/pg_group_commit.hpp"
#include "store/store.hpp"

namespace parley::store {

// "SELECT <a user's columns> FROM users ", as read_user reads them. (constexpr: statements built
// from it at static initialisation, in any file, never see it unconstructed.)
inline constexpr char select_user[] =
    "SELECT id, name, COALESCE(username, ''), COALESCE(password_hash, ''), created_at FROM users ";
User read_user(const pg::Result& rows, int row);
// The key of a pair's direct conversation: the same whichever of the two asks.
std::string direct_key(const std::string& a, const std::string& b);

// Prepares what the writes and the group commit send on a new writer connection.
void prepare_writer(pg::Connection& db, pg::Clock::time_point deadline);

// Pair -> conversation id, for conversations known to be committed. Writer thread only.
class ConversationCache {
 public:
  std::int64_t find(const std::string& key) const;  // 0 when unknown
  void remember(const std::string& key, std::int64_t id);
  void clear() { ids_.clear(); }

 private:
  std::unordered_map<std::string, std::int64_t> ids_;
};

// A write and its caller's callback.
class StoreWrite : public pg::WriteJob {
 public:
  // Runs on the writer thread once the batch is over, before complete(): what the writer itself
  // must learn from the outcome (a new conversation's id). `stored`: this write was committed.
  virtual void settle(bool /*stored*/) {}
  // Answers the caller, on the writer thread or wherever the store's CompletionRunner runs it:
  // no failure, the write was committed; else the Failure to answer with (nothing of this write
  // was stored, or whether it was is unknown: Failure::outcome_unknown).
  virtual void complete(const std::optional<Failure>& failure) = 0;
  // A write that must run alone in its own transaction (pg::run_transaction), or null: a job of
  // the group commit.
  virtual pg::TransactionJob* alone() { return nullptr; }
};

std::unique_ptr<StoreWrite> create_user_write(User user, std::function<void(Result<CreateUser>)> done);
std::unique_ptr<StoreWrite> ensure_user_write(User user, std::function<void(Result<User>)> done);
std::unique_ptr<StoreWrite> presence_write(PresenceUpdate update, std::function<void(Result<bool>)> done);
}  // namespace parley::store
