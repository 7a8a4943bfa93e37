#include "store/postgres_writes.hpp"

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
// A pair's first message: the statements find the conversation by its key in SQL, since in a
// pipeline the client cannot pass one statement's result to the next.
const pg::Statement insert_conversation{
    "insert_conversation",
    "INSERT INTO conversations (kind, direct_key, created_at) VALUES ('direct', $1, $2) "
    "ON CONFLICT (direct_key) DO NOTHING",
    {text_type, int8_type}};
const pg::Statement insert_members{
    "insert_members",
    "INSERT INTO conversation_members (conversation_id, user_id, joined_at) "
    "SELECT c.id, m.user_id, $4 FROM conversations c CROSS JOIN (VALUES ($2), ($3)) AS m (user_id) "
    "WHERE c.direct_key = $1 ON CONFLICT DO NOTHING",
    {text_type, text_type, text_type, int8_type}};
const pg::Statement insert_message_by_key{
    "insert_message_by_key",
    "INSERT INTO messages (conversation_id, sender_id, content, created_at) "
    "SELECT id, $2, $3, $4 FROM conversations WHERE direct_key = $1 RETURNING id, conversation_id",
    {text_type, text_type, text_type, int8_type}};
const pg::Statement insert_message{
    "insert_message",
    "INSERT INTO messages (conversation_id, sender_id, content, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    {int8_type, text_type, text_type, int8_type}};
// With a client key: the new row, or (the key taken) the sender's row stored earlier under it;
// columns id, conversation_id, content, created_at, already stored (0/1), and the conversation
// the message is for (to tell a retry from a key reused for another conversation).
const pg::Statement insert_keyed_message{
    "insert_keyed_message",
    "WITH inserted AS (INSERT INTO messages (conversation_id, sender_id, content, created_at, client_message_id) "
    "VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING "
    "RETURNING id, conversation_id, content, created_at) "
    "SELECT id, conversation_id, content, created_at, 0, $1 FROM inserted UNION ALL "
    "SELECT id, conversation_id, content, created_at, 1, $1 FROM messages "
    "WHERE sender_id = $2 AND client_message_id = $5 AND NOT EXISTS (SELECT 1 FROM inserted)",
    {int8_type, text_type, text_type, int8_type, text_type}};
const pg::Statement insert_keyed_message_by_key{
    "insert_keyed_message_by_key",
    "WITH conversation AS (SELECT id FROM conversations WHERE direct_key = $1), "
    "inserted AS (INSERT INTO messages (conversation_id, sender_id, content, created_at, client_message_id) "
    "SELECT id, $2, $3, $4, $5 FROM conversation "
    "ON CONFLICT (sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING "
    "RETURNING id, conversation_id, content, created_at) "
    "SELECT id, conversation_id, content, created_at, 0, (SELECT id FROM conversation) FROM inserted UNION ALL "
    "SELECT id, conversation_id, content, created_at, 1, (SELECT id FROM conversation) FROM messages "
    "WHERE sender_id = $2 AND client_message_id = $5 AND NOT EXISTS (SELECT 1 FROM inserted)",
    {text_type, text_type, text_type, int8_type, text_type}};
const pg::Statement* const writer_statements[] = {
    &insert_user,     &user_exists,           &insert_user_if_missing, &writer_find_user,     &insert_conversation,
    &insert_members,  &insert_message_by_key, &insert_message,         &insert_keyed_message, &insert_keyed_message_by_key};

}  // namespace

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

class AppendDirectWrite final : public StoreWrite {
 public:
  AppendDirectWrite(NewMessage message, ConversationCache& conversations, std::function<void(Result<Message>)> done)
      : message_(std::move(message)),
        key_(direct_key(message_.sender_id, message_.receiver_id)),
        conversations_(conversations),
        done_(std::move(done)) {}

  int send(pg::Connection& db) override {
    conversation_ = conversations_.find(key_);
    known_conversation_ = conversation_ != 0;
    bool keyed = !message_.client_message_id.empty();
    if (known_conversation_) {
      db.send(keyed ? insert_keyed_message : insert_message, message_params(pg::Params().int64(conversation_)));
      return 1;
    }
    db.send(insert_conversation, pg::Params().text(key_).int64(message_.created_at_ms));
    db.send(insert_members, pg::Params()
                                .text(key_)
                                .text(message_.sender_id)
                                .text(message_.receiver_id)
                                .int64(message_.created_at_ms));
    db.send(keyed ? insert_keyed_message_by_key : insert_message_by_key, message_params(pg::Params().text(key_)));
    return 3;
  }

  // The message's parameters after the conversation's ($1): $2 sender, $3 content, $4 time,
  // and $5 the client key when there is one.
  pg::Params& message_params(pg::Params& params) const {
    params.text(message_.sender_id).text(message_.content).int64(message_.created_at_ms);
    if (!message_.client_message_id.empty()) params.text(message_.client_message_id);
    return params;
  }

  void receive(int index, const pg::Result& result) override {
    if (index != (known_conversation_ ? 0 : 2)) return;
    id_ = result.rows() > 0 ? result.int64(0, 0) : 0;
    if (!id_) return;
    if (!message_.client_message_id.empty()) {
      stored_conversation_ = result.int64(0, 1);
      stored_content_ = result.text(0, 2);
      stored_at_ms_ = result.int64(0, 3);
      already_stored_ = result.int64(0, 4) == 1;
      if (!known_conversation_) conversation_ = result.int64(0, 5);
    } else if (!known_conversation_) {
      conversation_ = result.int64(0, 1);
    }
  }

  void settle(bool stored) override {
    if (stored && id_ && !known_conversation_ && conversation_) conversations_.remember(key_, conversation_);
  }

  void complete(const std::optional<Failure>& failure) override {
    if (failure) return done_(*failure);
    if (!id_) return done_(Failure{"the message's conversation was not found"});  // not expected
    if (already_stored_) {
      if (stored_conversation_ != conversation_ || stored_content_ != message_.content) {
        return done_(client_message_id_reused_failure());
      }
      return done_(Message{id_, conversation_, message_.sender_id, {}, stored_content_, stored_at_ms_,
                           message_.client_message_id, true});
    }
    done_(Message{id_, conversation_, message_.sender_id, {}, message_.content, message_.created_at_ms,
                  message_.client_message_id});
  }

 private:
  NewMessage message_;
  std::string key_;
  ConversationCache& conversations_;
  std::function<void(Result<Message>)> done_;
  bool known_conversation_ = false;
  std::int64_t conversation_ = 0;
  std::int64_t id_ = 0;
  // With a client key, what the row holds (the earlier message's, when already stored).
  bool already_stored_ = false;
  std::int64_t stored_conversation_ = 0;
  std::string stored_content_;
  std::int64_t stored_at_ms_ = 0;
};

}  // namespace

std::unique_ptr<StoreWrite> create_user_write(User user, std::function<void(Result<CreateUser>)> done) {
  return std::make_unique<CreateUserWrite>(std::move(user), std::move(done));
}

std::unique_ptr<StoreWrite> ensure_user_write(User user, std::function<void(Result<User>)> done) {
  return std::make_unique<EnsureUserWrite>(std::move(user), std::move(done));
}

std::unique_ptr<StoreWrite> append_direct_write(NewMessage message, ConversationCache& conversations,
                                                std::function<void(Result<Message>)> done) {
  return std::make_unique<AppendDirectWrite>(std::move(message), conversations, std::move(done));
}

}  // namespace parley::store
