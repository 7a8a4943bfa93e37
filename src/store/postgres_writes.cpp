#include "store/postgres_writes.hpp"

#include "store/postgres_conversation_rows.hpp"
#include "store/postgres_conversation_writes.hpp"

namespace parley::store {

namespace {

using pg::int8_type;
using pg::text_type;

constexpr std::size_t max_cached_conversations = 1'000'000;

// ON CONFLICT DO NOTHING: a taken id or username is an answer, not an error, so it never aborts
// the pipeline. An empty username is stored as NULL so that any number of users can lack one.
const pg::Statement insert_user{
    "insert_user",
    "INSERT INTO users (id, name, username, password_hash, created_at) "
    "VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5) ON CONFLICT DO NOTHING RETURNING id",
    {text_type, text_type, text_type, text_type, int8_type}};
// A separate statement, so that it sees a row another server committed while the insert waited.
const pg::Statement user_exists{"user_exists", "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)", {text_type}};
const pg::Statement insert_user_if_missing{
    "insert_user_if_missing", "INSERT INTO users (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    {text_type, text_type, int8_type}};
const pg::Statement writer_find_user{"find_user", std::string(select_user) + "WHERE id = $1", {text_type}};
// A presence change: each column kept unless given ($2, $3 '' for not given).
const pg::Statement update_presence{
    "update_presence",
    "UPDATE users SET last_seen_at = COALESCE(NULLIF($2, '')::int8, last_seen_at), "
    "appear_offline = COALESCE(NULLIF($3, '')::int2, appear_offline) WHERE id = $1 RETURNING id",
    {text_type, text_type, text_type}};
const pg::Statement* const writer_statements[] = {&insert_user, &user_exists, &insert_user_if_missing, &writer_find_user,
                                                  &update_presence};

// One statement in the batch: a reconnect storm's thousands of last-seen times are committed a
// batch at a time, like messages.
class PresenceWrite final : public StoreWrite {
 public:
  PresenceWrite(PresenceUpdate update, std::function<void(Result<bool>)> done)
      : update_(std::move(update)), done_(std::move(done)) {}

  int send(pg::Connection& db) override {
    found_ = false;
    auto params = pg::Params().text(update_.user_id);
    params.text(update_.last_seen_at_ms ? std::to_string(*update_.last_seen_at_ms) : std::string());
    params.text(update_.appear_offline ? (*update_.appear_offline ? "1" : "0") : "");
    db.send(update_presence, params);
    return 1;
  }
  void receive(int, const pg::Result& result) override { found_ = result.rows() > 0; }
  void complete(const std::optional<Failure>& failure) override {
    if (failure) return done_(*failure);
    done_(found_);
  }

 private:
  PresenceUpdate update_;
  std::function<void(Result<bool>)> done_;
  bool found_ = false;
};

}  // namespace

std::unique_ptr<StoreWrite> presence_write(PresenceUpdate update, std::function<void(Result<bool>)> done) {
  return std::make_unique<PresenceWrite>(std::move(update), std::move(done));
}

std::string direct_key(const std::string& a, const std::string& b) { return a < b ? a + ":" + b : b + ":" + a; }

User read_user(const pg::Result& r, int row) {
  return User{r.text(row, 0), r.text(row, 1), r.text(row, 2), r.text(row, 3), r.int64(row, 4)};
}

void prepare_writer(pg::Connection& db, pg::Clock::time_point deadline) {
  // Every lookup this session makes is by key: its own statements, and the foreign-key checks
  // PostgreSQL runs for each insert (users, conversations). PostgreSQL plans those checks once
  // per session, and while a table is small (a few pages) a sequential scan is cheaper by its
  // estimate, so it then scans the table for every insert: 166,765 scans of `users` reading
  // 16.7 million rows in 10 s at 20,000 msgs/s with 200 users. The keys' indexes always serve.
  db.exec("SET enable_seqscan = off", deadline);
  for (const auto& s : pg::batch_statements()) db.prepare(s, deadline);
  for (const auto* s : writer_statements) db.prepare(*s, deadline);
  for (const auto* s : conversation_writer_statements()) db.prepare(*s, deadline);
  for (const auto* s : pg_rows::state_statements()) db.prepare(*s, deadline);
}

std::int64_t ConversationCache::find(const std::string& key) const {
  auto it = ids_.find(key);
  return it == ids_.end() ? 0 : it->second;
}

void ConversationCache::remember(const std::string& key, std::int64_t id) {
  if (ids_.size() >= max_cached_conversations) ids_.clear();  // a bound, not an eviction policy
  ids_.emplace(key, id);
}

namespace {

class CreateUserWrite final : public StoreWrite {
 public:
  CreateUserWrite(User user, std::function<void(Result<CreateUser>)> done)
      : user_(std::move(user)), done_(std::move(done)) {}

  int send(pg::Connection& db) override {
    db.send(insert_user, pg::Params()
                             .text(user_.id)
                             .text(user_.name)
                             .text(user_.username)
                             .text(user_.password_hash)
                             .int64(user_.created_at_ms));
    db.send(user_exists, pg::Params().text(user_.id));
    return 2;
  }

  void receive(int index, const pg::Result& result) override {
    if (index == 0) inserted_ = result.rows() > 0;
    if (index == 1) id_exists_ = result.rows() > 0 && result.boolean(0, 0);
  }

  void complete(const std::optional<Failure>& failure) override {
    if (failure) return done_(*failure);
    done_(inserted_ ? CreateUser::created : id_exists_ ? CreateUser::id_taken : CreateUser::username_taken);
  }

 private:
  User user_;
  std::function<void(Result<CreateUser>)> done_;
  bool inserted_ = false;
  bool id_exists_ = false;
};

class EnsureUserWrite final : public StoreWrite {
 public:
  EnsureUserWrite(User user, std::function<void(Result<User>)> done) : user_(std::move(user)), done_(std::move(done)) {}

  int send(pg::Connection& db) override {
    db.send(insert_user_if_missing, pg::Params().text(user_.id).text(user_.name).int64(user_.created_at_ms));
    db.send(writer_find_user, pg::Params().text(user_.id));
    return 2;
  }

  void receive(int index, const pg::Result& result) override {
    if (index == 1 && result.rows() > 0) stored_ = read_user(result, 0);
  }

  void complete(const std::optional<Failure>& failure) override {
    if (failure) return done_(*failure);
    done_(std::move(stored_));
  }

 private:
  User user_;
  std::function<void(Result<User>)> done_;
  User stored_;
};

}  // namespace

std::unique_ptr<StoreWrite> create_user_write(User user, std::function<void(Result<CreateUser>)> done) {
  return std::make_unique<CreateUserWrite>(std::move(user), std::move(done));
}

std::unique_ptr<StoreWrite> ensure_user_write(User user, std::function<void(Result<User>)> done) {
  return std::make_unique<EnsureUserWrite>(std::move(user), std::move(done));
}

}  // namespace parley::store
