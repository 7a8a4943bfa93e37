// The store contract: one suite, run against every store (SQLite in a temporary file, PostgreSQL
// on a real server), so that the chat behaves the same on either. The PostgreSQL tests need a
// server: ctest starts a throw-away one (the pg-server-start fixture) and passes its URL through
// PARLEY_TEST_POSTGRES_URL_FILE; by hand, run `scripts/pg-test-server.sh start DIR` and set
// PARLEY_TEST_POSTGRES_URL to the URL it prints. Tests share that database, so every test makes
// its own users (random ids and names) and looks only at them.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "store/pg_connection.hpp"
#include "store/migrations.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_log_reader.hpp"
#include "store/sqlite_message_index.hpp"
#include "store/sqlite_store.hpp"
#include "store_test_support.hpp"

using namespace parley::store;
using namespace parley::store::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// A text entry from `from` to the direct conversation of `from` and `to` (the seed's send).
NewEntry direct_entry(const User& from, const User& to, std::string content, std::string key = {}) {
  return NewEntry{ConversationRef{.direct_with = to.id}, from.id, std::move(content), now_ms(), std::move(key)};
}

// The newest `limit` entries of the pair `a`-`b` before `before_seq`, as `a` reads them.
LogRequest direct_log(const User& a, const User& b, std::optional<std::int64_t> before_seq, std::size_t limit) {
  return LogRequest{ConversationRef{.direct_with = b.id}, a.id, before_seq, limit};
}

template <class Backend>
class StoreContract : public StoreFixture<Backend> {
 protected:
  using StoreFixture<Backend>::store_;

  User new_user(const std::string& label) { return fresh_user(label, "hash-" + random_token()); }
  User created_user(const std::string& label) { return stored_user(*store_, label, "hash-" + random_token()); }

  CreateUser create(const User& user) {
    return ok(wait_for<Result<CreateUser>>([&](auto done) { store_->create_user(user, done); }));
  }

  std::optional<User> get(const std::string& id) {
    return ok(wait_for<Result<std::optional<User>>>([&](auto done) { store_->get_user(id, done); }));
  }

  Result<Appended> try_append(const User& from, const User& to, const std::string& content) {
    return wait_for<Result<Appended>>([&](auto done) { store_->append(direct_entry(from, to, content), done); });
  }

  LogEntry append(const User& from, const User& to, const std::string& content) {
    return ok(try_append(from, to, content)).entry;
  }

  std::vector<LogEntry> history(const User& a, const User& b, std::optional<std::int64_t> before_seq, std::size_t limit) {
    return ok(wait_for<Result<LogPage>>([&](auto done) { store_->read_log(direct_log(a, b, before_seq, limit), done); }))
        .entries;
  }

  std::vector<User> search(const std::string& text, std::size_t limit) {
    return ok(wait_for<Result<std::vector<User>>>([&](auto done) { store_->search_users(text, limit, done); }));
  }

};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(StoreContract, Backends);

void expect_same_user(const User& actual, const User& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.username, expected.username);
  EXPECT_EQ(actual.password_hash, expected.password_hash);
  EXPECT_EQ(actual.created_at_ms, expected.created_at_ms);
}

// --- the contract ---------------------------------------------------------------------------------

TYPED_TEST(StoreContract, CreatesAndFindsUsers) {
  User alice = this->created_user("Alice");
  auto by_id = this->get(alice.id);
  ASSERT_TRUE(by_id);
  expect_same_user(*by_id, alice);
  auto by_username = ok(wait_for<Result<std::optional<User>>>(
      [&](auto done) { this->store_->get_user_by_username(alice.username, done); }));
  ASSERT_TRUE(by_username);
  expect_same_user(*by_username, alice);
  EXPECT_FALSE(this->get("id-" + random_token()));
}

TYPED_TEST(StoreContract, RefusesTakenUsernameAndId) {
  User first = this->created_user("Bob");
  User same_username = this->new_user("Other");
  same_username.username = first.username;
  EXPECT_EQ(this->create(same_username), CreateUser::username_taken);
  EXPECT_FALSE(this->get(same_username.id)) << "the refused user must not be stored";
  User same_id = this->new_user("Another");
  same_id.id = first.id;
  EXPECT_EQ(this->create(same_id), CreateUser::id_taken);
  expect_same_user(*this->get(first.id), first);
}

// Writes queued together share a transaction: a refused one (a taken username) or a failing one
// (a message to a user who does not exist) must not take the others with it.
TYPED_TEST(StoreContract, RefusedOrFailedWriteLeavesItsBatchAlone) {
  User taken = this->created_user("Taken");
  User peer = this->created_user("Peer");
  User nobody = this->new_user("Nobody");  // never stored
  constexpr int n = 200;
  std::vector<User> users;
  std::vector<std::future<Result<CreateUser>>> created;
  std::vector<std::future<Result<Appended>>> appended;
  for (int i = 0; i < n; ++i) {
    User user = this->new_user("Batch");
    if (i % 3 == 0) user.username = taken.username;
    users.push_back(user);
    auto p = std::make_shared<std::promise<Result<CreateUser>>>();
    created.push_back(p->get_future());
    this->store_->create_user(user, [p](Result<CreateUser> r) { p->set_value(std::move(r)); });
    auto q = std::make_shared<std::promise<Result<Appended>>>();
    appended.push_back(q->get_future());
    const User& receiver = i % 5 == 1 ? nobody : peer;
    this->store_->append(direct_entry(taken, receiver, numbered("m", i)),
                         [q](Result<Appended> r) { q->set_value(std::move(r)); });
  }
  std::set<std::int64_t> ids;
  int stored_messages = 0;
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(created[i].wait_for(30s), std::future_status::ready);
    EXPECT_EQ(ok(created[i].get()), i % 3 == 0 ? CreateUser::username_taken : CreateUser::created) << i;
    EXPECT_EQ(this->get(users[i].id).has_value(), i % 3 != 0) << i;
    ASSERT_EQ(appended[i].wait_for(30s), std::future_status::ready);
    auto message = appended[i].get();
    EXPECT_EQ(failed(message) != nullptr, i % 5 == 1) << i;
    if (!failed(message)) {
      ids.insert(std::get<Appended>(message).entry.id);
      ++stored_messages;
    }
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(stored_messages));
  EXPECT_EQ(this->history(taken, peer, std::nullopt, 1000).size(), static_cast<std::size_t>(stored_messages));
  EXPECT_TRUE(this->history(taken, nobody, std::nullopt, 1000).empty());
  // The failed writes left nothing behind that would block the pair later.
  ASSERT_EQ(this->create(nobody), CreateUser::created);
  LogEntry late = this->append(taken, nobody, "now you exist");
  EXPECT_EQ(this->history(nobody, taken, std::nullopt, 10).size(), 1u);
  EXPECT_GT(late.id, *ids.rbegin());
}

TYPED_TEST(StoreContract, EnsureUserIsIdempotent) {
  User carol{"id-" + random_token(), "Carol", "", "", now_ms()};
  User stored = ok(wait_for<Result<User>>([&](auto done) { this->store_->ensure_user(carol, done); }));
  expect_same_user(stored, carol);
  User renamed = carol;
  renamed.name = "Carol Renamed";
  renamed.created_at_ms += 1000;
  User again = ok(wait_for<Result<User>>([&](auto done) { this->store_->ensure_user(renamed, done); }));
  expect_same_user(again, carol);  // the stored user, unchanged
  expect_same_user(*this->get(carol.id), carol);
}

TYPED_TEST(StoreContract, SearchIsCaseInsensitiveLiteralAndLimited) {
  std::string token = random_token();
  auto make = [&](const std::string& id_label, const std::string& name, const std::string& username) {
    User user{"id-" + id_label + token, name, username, "", now_ms()};
    EXPECT_EQ(this->create(user), CreateUser::created);
    return user;
  };
  std::string upper = token;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  make("a", "Gamma " + upper, "gamma_" + token);
  make("b", "Beta " + token, "beta_" + token);
  make("c", "Delta", "delta_" + token + "_100%");  // found by its username only
  make("d", "Alpha " + token, "a_" + token);

  auto found = this->search(token, 10);
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].name, "Alpha " + token);  // by name
  EXPECT_EQ(found[1].name, "Beta " + token);
  EXPECT_EQ(found[2].name, "Delta");
  EXPECT_EQ(found[3].name, "Gamma " + upper);
  EXPECT_EQ(this->search(upper, 10).size(), 4u);
  EXPECT_EQ(this->search(token, 2).size(), 2u);
  EXPECT_EQ(this->search("GAMMA_" + upper, 10).size(), 1u);
  // No pattern characters: '%' and '_' match only themselves.
  EXPECT_EQ(this->search(token + "_100%", 10).size(), 1u);
  EXPECT_EQ(this->search(token + "%", 10).size(), 0u);
  EXPECT_EQ(this->search("_" + token.substr(0, 3) + "_", 10).size(), 0u);
}

TYPED_TEST(StoreContract, OneConversationPerPair) {
  User a = this->created_user("A"), b = this->created_user("B"), c = this->created_user("C");
  LogEntry first = this->append(a, b, "hello b");
  LogEntry reply = this->append(b, a, "hello a");
  LogEntry other = this->append(a, c, "hello c");
  EXPECT_EQ(first.conversation_id, reply.conversation_id);
  EXPECT_NE(first.conversation_id, other.conversation_id);
  EXPECT_LT(first.id, reply.id);
  EXPECT_LT(reply.id, other.id);
  EXPECT_EQ(reply.sender_id, b.id);
  EXPECT_EQ(reply.content, "hello a");
  EXPECT_GT(reply.created_at_ms, 0);
  // A new store (nothing cached) finds the same conversation.
  this->store_->close();
  std::string why;
  this->store_ = this->backend_.open(why);
  ASSERT_TRUE(this->store_) << why;
  EXPECT_EQ(this->append(b, a, "again").conversation_id, first.conversation_id);
  EXPECT_TRUE(this->history(a, c, std::nullopt, 10).size() == 1);
  EXPECT_TRUE(this->history(b, c, std::nullopt, 10).empty());
}

TYPED_TEST(StoreContract, HistoryPagesBackwardsOldestFirst) {
  User a = this->created_user("Ann"), b = this->created_user("Ben");
  std::vector<LogEntry> sent;
  for (int i = 0; i < 10; ++i) sent.push_back(i % 2 ? this->append(b, a, numbered("m", i)) : this->append(a, b, numbered("m", i)));

  auto last = this->history(a, b, std::nullopt, 4);
  ASSERT_EQ(last.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(last[i].id, sent[6 + i].id);
    EXPECT_EQ(last[i].content, sent[6 + i].content);
    EXPECT_EQ(last[i].sender_id, sent[6 + i].sender_id);
    EXPECT_EQ(last[i].conversation_id, sent[6 + i].conversation_id);
    EXPECT_EQ(last[i].created_at_ms, sent[6 + i].created_at_ms);
  }
  EXPECT_EQ(last[0].sender_name, a.name);
  EXPECT_EQ(last[1].sender_name, b.name);

  auto earlier = this->history(b, a, last.front().seq, 4);  // either order of the pair
  ASSERT_EQ(earlier.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(earlier[i].id, sent[2 + i].id);
  auto first = this->history(a, b, earlier.front().seq, 4);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, sent[0].id);
  EXPECT_TRUE(this->history(a, b, sent[0].seq, 4).empty());
}

TYPED_TEST(StoreContract, AClientKeyStoresAMessageOnce) {
  User a = this->created_user("Ann"), b = this->created_user("Ben"), c = this->created_user("Cid");
  auto keyed = [&](const User& from, const User& to, const std::string& content, const std::string& key) {
    auto appended = wait_for<Result<Appended>>(
        [&](auto done) { this->store_->append(direct_entry(from, to, content, key), done); });
    if (auto* failure = failed(appended)) return Result<LogEntry>(*failure);
    return Result<LogEntry>(std::get<Appended>(std::move(appended)).entry);
  };
  std::string key = "key-" + random_token();
  auto first = ok(keyed(a, b, "hello", key));
  EXPECT_FALSE(first.already_stored);
  EXPECT_EQ(first.client_message_id, key);
  auto retry = ok(keyed(a, b, "hello", key));
  EXPECT_TRUE(retry.already_stored);
  EXPECT_EQ(retry.id, first.id);
  EXPECT_EQ(retry.conversation_id, first.conversation_id);
  EXPECT_EQ(retry.created_at_ms, first.created_at_ms);  // the first one's, not the retry's
  EXPECT_EQ(retry.content, "hello");
  // The key of another message: other content, or another receiver (a conversation new or not).
  auto other_content = keyed(a, b, "hello again", key);
  ASSERT_TRUE(failed(other_content));
  EXPECT_EQ(failed(other_content)->message, client_message_id_reused);
  EXPECT_TRUE(failed(other_content)->client_error);
  auto other_receiver = keyed(a, c, "hello", key);
  ASSERT_TRUE(failed(other_receiver));
  EXPECT_EQ(failed(other_receiver)->message, client_message_id_reused);
  // Keys are per sender; messages without one are never deduplicated.
  auto from_b = ok(keyed(b, a, "hello", key));
  EXPECT_FALSE(from_b.already_stored);
  EXPECT_NE(from_b.id, first.id);
  auto plain1 = this->append(a, b, "hello");
  auto plain2 = this->append(a, b, "hello");
  EXPECT_NE(plain1.id, plain2.id);
  EXPECT_TRUE(plain1.client_message_id.empty());

  std::vector<std::int64_t> ids;
  for (auto& m : this->history(a, b, std::nullopt, 100)) ids.push_back(m.id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{first.id, from_b.id, plain1.id, plain2.id}));
  EXPECT_TRUE(this->history(a, c, std::nullopt, 100).empty());
}

TYPED_TEST(StoreContract, AClientKeySentTwiceInOneBatchIsStoredOnce) {
  User a = this->created_user("Ann"), b = this->created_user("Ben");
  std::string key = "key-" + random_token();
  std::vector<std::future<Result<Appended>>> answers;
  std::vector<std::shared_ptr<std::promise<Result<Appended>>>> promises;
  for (int i = 0; i < 4; ++i) {  // queued back to back: they share a batch
    auto promise = std::make_shared<std::promise<Result<Appended>>>();
    answers.push_back(promise->get_future());
    this->store_->append(direct_entry(a, b, "same", key),
                         [promise](Result<Appended> r) { promise->set_value(std::move(r)); });
  }
  std::vector<LogEntry> messages;
  for (auto& answer : answers) {
    ASSERT_EQ(answer.wait_for(30s), std::future_status::ready);
    messages.push_back(ok(answer.get()).entry);
  }
  EXPECT_EQ(std::count_if(messages.begin(), messages.end(), [](auto& m) { return !m.already_stored; }), 1);
  for (auto& m : messages) EXPECT_EQ(m.id, messages[0].id);
  EXPECT_EQ(this->history(a, b, std::nullopt, 100).size(), 1u);
}

TYPED_TEST(StoreContract, ConcurrentAppendsAreAllStored) {
  constexpr int threads = 8, per_thread = 250;
  std::vector<User> users;
  for (int i = 0; i < 4; ++i) users.push_back(this->created_user("Load"));
  std::mutex mutex;
  std::map<std::pair<int, int>, std::vector<std::int64_t>> acknowledged;  // by pair (smaller index first)
  std::atomic<int> answered{0}, failures{0};
  std::promise<void> all_answered;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        int from = (t + i) % 4, to = (t + i / 4 + 1 + from) % 4;
        if (to == from) to = (to + 1) % 4;
        std::pair<int, int> pair = std::minmax(from, to);
        this->store_->append(direct_entry(users[from], users[to], "load"), [&, pair](Result<Appended> r) {
          if (auto* m = std::get_if<Appended>(&r)) {
            std::lock_guard lock(mutex);
            acknowledged[pair].push_back(m->entry.id);
          } else {
            ++failures;
          }
          if (++answered == threads * per_thread) all_answered.set_value();
        });
      }
    });
  }
  for (auto& w : workers) w.join();
  ASSERT_EQ(all_answered.get_future().wait_for(60s), std::future_status::ready);
  EXPECT_EQ(failures.load(), 0);
  std::set<std::int64_t> all_ids;
  for (auto& [pair, ids] : acknowledged) {
    all_ids.insert(ids.begin(), ids.end());
    auto stored = this->history(users[pair.first], users[pair.second], std::nullopt, 10'000);
    std::vector<std::int64_t> stored_ids;
    for (auto& m : stored) stored_ids.push_back(m.id);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(stored_ids, ids);  // every acknowledged message, in id order, and nothing else
  }
  EXPECT_EQ(all_ids.size(), static_cast<std::size_t>(threads * per_thread));
}

TYPED_TEST(StoreContract, IsReady) {
  EXPECT_TRUE(wait_for<bool>([&](auto done) { this->store_->check_ready(done); }));
}

// --- PostgreSQL only ------------------------------------------------------------------------------

// A database of its own on the shared server, dropped afterwards.
class ScratchDatabase {
 public:
  ScratchDatabase() {
    std::string why;
    server_url_ = postgres_test_url(why);
    if (server_url_.empty()) throw std::runtime_error(why);
    name_ = "parley_scratch_" + random_token();
    admin().exec("CREATE DATABASE " + name_, deadline());  // a generated name, not input
  }
  ~ScratchDatabase() {
    try {
      admin().exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)", deadline());
    } catch (const std::exception&) {
    }
  }
  std::string url() const { return with_database(server_url_, name_); }

 private:
  static pg::Clock::time_point deadline() { return pg::Clock::now() + 30s; }
  pg::Connection admin() const { return pg::Connection(with_database(server_url_, "postgres"), 10s); }

  std::string server_url_;
  std::string name_;
};

TEST(PostgresStore, MigratesOnceUnderConcurrentMigrators) {
  ScratchDatabase db;
  std::atomic<int> applied{0};
  std::vector<std::thread> migrators;
  for (int i = 0; i < 4; ++i) migrators.emplace_back([&] { applied += migrate_postgres(db.url()); });
  for (auto& m : migrators) m.join();
  EXPECT_EQ(applied.load(), latest_schema_version());  // each migration once, whoever ran it
  EXPECT_EQ(migrate_postgres(db.url()), 0);
}

TEST(PostgresStore, RefusesNewerSchema) {
  ScratchDatabase db;
  migrate_postgres(db.url());
  {
    pg::Connection conn(db.url(), 10s);
    conn.exec("INSERT INTO parley_schema (version) VALUES (999)", pg::Clock::now() + 10s);
  }
  try {
    open_postgres(db.url());
    FAIL() << "a newer database must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this parley knows"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("schema version 999"), std::string::npos) << e.what();
  }
}

TEST(PostgresStore, HistoryReadsTheConversationIndex) {
  ScratchDatabase db;
  auto store = open_postgres(db.url());
  store->close();
  pg::Connection conn(db.url(), 10s);
  auto deadline = pg::Clock::now() + 30s;
  // Enough rows that a sequential scan would be the planner's choice were the index unusable.
  conn.exec("INSERT INTO users (id, name, created_at) VALUES ('a', 'A', 0), ('b', 'B', 0)", deadline);
  conn.exec("INSERT INTO conversations (kind, direct_key, created_at) SELECT 'direct', 'k' || i, 0 "
            "FROM generate_series(1, 200) i", deadline);
  conn.exec("INSERT INTO messages (conversation_id, seq, sender_id, content, created_at) "
            "SELECT 1 + i % 200, 1 + i / 200, 'a', 'x', 0 FROM generate_series(1, 20000) i", deadline);
  conn.exec("ANALYZE", deadline);
  // The generic plan (no parameter values known) is the one a prepared statement settles on.
  conn.exec("SET plan_cache_mode = force_generic_plan", deadline);
  // The store's log statement (postgres_conversation_reads.cpp, log_entries), under EXPLAIN.
  conn.prepare({"history_plan",
                "EXPLAIN SELECT m.id, m.conversation_id, m.seq, m.sender_id, u.name, m.content, m.created_at "
                "FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.conversation_id = $1 "
                "AND m.seq >= $2 AND m.seq < $3 AND m.deleted_at IS NULL ORDER BY m.seq DESC LIMIT $4",
                {pg::int8_type, pg::int8_type, pg::int8_type, pg::int8_type}},
               deadline);
  auto plan = conn.exec(pg::Statement{"history_plan", "", {}},
                        pg::Params().int64(7).int64(1).int64(INT64_MAX).int64(50), deadline);
  std::string text;
  for (int i = 0; i < plan.rows(); ++i) text += plan.text(i, 0) + "\n";
  EXPECT_NE(text.find("Index Scan Backward using messages_seq"), std::string::npos) << text;
}

// The server goes away under a running store and comes back: calls fail fast meanwhile (never a
// false success, never a long wait) and the store recovers by itself. Runs its own server, as
// it stops it.
TEST(PostgresStore, FailsFastWhileTheServerIsDownAndRecovers) {
  TempDir dir;
  auto server = [&](const std::string& command) {
    std::string line = std::string(PARLEY_PG_TEST_SERVER) + " " + command + " " + dir.path.string() + " >/dev/null";
    ASSERT_EQ(std::system(line.c_str()), 0) << line;
  };
  server("start");
  std::string url = read_first_line(dir.path / "url");
  ASSERT_FALSE(url.empty());
  auto store = open_postgres(url);
  auto call = [&](auto&& f) { return wait_for<Result<Appended>>(f, 10s); };
  auto create = [&](const std::string& name) {
    User user{"id-" + random_token(), name, name + random_token(), "", now_ms()};
    EXPECT_EQ(ok(wait_for<Result<CreateUser>>([&](auto done) { store->create_user(user, done); })), CreateUser::created);
    return user;
  };
  User a = create("a"), b = create("b");
  auto append = [&](const std::string& content) {
    return call([&](auto done) { store->append(direct_entry(a, b, content), done); });
  };
  ASSERT_FALSE(failed(append("before")));

  // Writes in flight while the server stops: each is answered, and each success is durable.
  constexpr int in_flight = 300;
  std::mutex mutex;
  std::vector<std::int64_t> acknowledged;
  std::atomic<int> answered{0};
  std::promise<void> all_answered;
  std::thread writer([&] {
    for (int i = 0; i < in_flight; ++i) {
      store->append(direct_entry(a, b, "flight"), [&](Result<Appended> r) {
        if (auto* m = std::get_if<Appended>(&r)) {
          std::lock_guard lock(mutex);
          acknowledged.push_back(m->entry.id);
        }
        if (++answered == in_flight) all_answered.set_value();
      });
      std::this_thread::sleep_for(1ms);  // spread the writes over the shutdown (pacing, not waiting)
    }
  });
  server("stop");
  writer.join();
  ASSERT_EQ(all_answered.get_future().wait_for(15s), std::future_status::ready);

  auto started = Clock::now();
  auto down = append("while down");
  ASSERT_TRUE(failed(down));
  EXPECT_EQ(failed(down)->message, "database unavailable");
  EXPECT_LT(Clock::now() - started, 5s);
  started = Clock::now();
  EXPECT_FALSE(wait_for<bool>([&](auto done) { store->check_ready(done); }, 10s));
  EXPECT_LT(Clock::now() - started, 5s);
  auto read = wait_for<Result<std::optional<User>>>([&](auto done) { store->get_user(a.id, done); }, 10s);
  EXPECT_TRUE(failed(read));

  server("start");
  auto deadline = Clock::now() + 30s;
  Result<Appended> after = Failure{"not tried"};
  while (Clock::now() < deadline && failed(after = append("after"))) std::this_thread::sleep_for(50ms);
  ASSERT_FALSE(failed(after)) << "the store did not recover: " << failed(after)->message;
  bool ready = false;
  while (Clock::now() < deadline && !(ready = wait_for<bool>([&](auto done) { store->check_ready(done); }, 10s))) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(ready);

  auto stored = ok(wait_for<Result<LogPage>>(
      [&](auto done) { store->read_log(direct_log(a, b, std::nullopt, 10'000), done); }));
  std::set<std::int64_t> stored_ids;
  for (auto& m : stored.entries) stored_ids.insert(m.id);
  for (auto id : acknowledged) EXPECT_TRUE(stored_ids.count(id)) << "acknowledged message " << id << " was lost";
  EXPECT_TRUE(stored_ids.count(std::get<Appended>(after).entry.id));
  store->close();
  server("stop");
}


// --- SQLite: the conversation index filled in bulk (sqlite_message_index.hpp) ------------------
// Small bulks and chunks, so that a few hundred messages go through every state: unindexed,
// a bulk half done, indexed.

User sqlite_user(Store& store, const std::string& label) {
  std::string token = random_token();
  User user{"id-" + token, label + " " + token, label + "_" + token, "", now_ms()};
  EXPECT_EQ(ok(wait_for<Result<CreateUser>>([&](auto done) { store.create_user(user, done); })), CreateUser::created);
  return user;
}

LogEntry sqlite_append(Store& store, const User& from, const User& to, const std::string& content) {
  return ok(wait_for<Result<Appended>>([&](auto done) { store.append(direct_entry(from, to, content), done); })).entry;
}

// The ids of the pair's newest `limit` entries before `before_seq`, oldest first.
std::vector<std::int64_t> history_ids(Store& store, const User& a, const User& b, std::optional<std::int64_t> before_seq,
                                      std::size_t limit) {
  auto page = ok(wait_for<Result<LogPage>>([&](auto done) { store.read_log(direct_log(a, b, before_seq, limit), done); }));
  std::vector<std::int64_t> ids;
  for (auto& m : page.entries) ids.push_back(m.id);
  return ids;
}

std::int64_t count_rows(const std::filesystem::path& file, const std::string& sql) {
  parley::store::sqlite::Connection db(file.string(), "FULL");
  parley::store::sqlite::Statement count(db.handle(), sql);
  return count.step() ? count.int64(0) : -1;
}

TEST(SqliteStore, HistoryStaysExactWhileMessagesAreIndexedInBulk) {
  TempDir dir;
  auto file = dir.path / "parley.db";
  auto store = open_sqlite(file.string(), "FULL", {}, SqliteIndexOptions{.bulk_rows = 7, .per_conversation = 1, .max_rows = 7, .chunk_rows = 3});
  User a = sqlite_user(*store, "Ann"), b = sqlite_user(*store, "Ben"), c = sqlite_user(*store, "Cid");
  std::map<std::string, std::vector<std::int64_t>> sent, seqs;  // ids and seqs, by pair
  const std::pair<User*, User*> pairs[] = {{&a, &b}, {&b, &a}, {&a, &c}, {&c, &b}};
  for (int i = 0; i < 150; ++i) {
    auto [from, to] = pairs[i % 4];
    auto m = sqlite_append(*store, *from, *to, numbered("m", i));
    std::string pair = std::min(from->id, to->id) + std::max(from->id, to->id);
    sent[pair].push_back(m.id);
    seqs[pair].push_back(m.seq);
    auto& expected = sent[pair];
    ASSERT_EQ(history_ids(*store, *from, *to, std::nullopt, 1000), expected) << "after message " << i;
    // The newest three, and the three before the newest one.
    std::vector<std::int64_t> newest(expected.end() - std::min<std::size_t>(3, expected.size()), expected.end());
    ASSERT_EQ(history_ids(*store, *to, *from, std::nullopt, 3), newest) << i;
    if (expected.size() >= 4) {
      std::vector<std::int64_t> page(expected.end() - 4, expected.end() - 1);
      ASSERT_EQ(history_ids(*store, *from, *to, seqs[pair].back(), 3), page) << i;
    }
  }
  EXPECT_TRUE(history_ids(*store, b, c, seqs[std::min(b.id, c.id) + std::max(b.id, c.id)].front(), 10).empty());
  store->close();
  // Most of them went through the bulk path: the test would pass without ever indexing otherwise.
  EXPECT_GE(count_rows(file, "SELECT COUNT(*) FROM conversation_messages"), 140);
  EXPECT_GE(count_rows(file, "SELECT indexed_through FROM message_index_state"), 140);
}

TEST(SqliteStore, UnindexedMessagesAreFoundAfterARestart) {
  TempDir dir;
  auto file = (dir.path / "parley.db").string();
  std::vector<std::int64_t> sent;
  User a, b;
  {
    auto store = open_sqlite(file, "FULL", {}, SqliteIndexOptions{.bulk_rows = 10, .per_conversation = 1, .max_rows = 10, .chunk_rows = 4});
    a = sqlite_user(*store, "Ann");
    b = sqlite_user(*store, "Ben");
    for (int i = 0; i < 25; ++i) sent.push_back(sqlite_append(*store, i % 2 ? a : b, i % 2 ? b : a, "before").id);
    store->close();
  }
  auto indexed = count_rows(file, "SELECT indexed_through FROM message_index_state");
  EXPECT_GT(indexed, 0);
  EXPECT_LT(indexed, sent.back());  // some were left unindexed, in the table only
  auto store = open_sqlite(file, "FULL", {}, SqliteIndexOptions{.bulk_rows = 1000, .per_conversation = 1, .max_rows = 1000, .chunk_rows = 4});
  EXPECT_EQ(history_ids(*store, a, b, std::nullopt, 1000), sent);
  sent.push_back(sqlite_append(*store, a, b, "after").id);
  EXPECT_EQ(history_ids(*store, b, a, std::nullopt, 1000), sent);
  store->close();
}

// A bulk waits until the unindexed messages are several per conversation (or max_rows).
TEST(SqliteStore, ABulkWaitsForSeveralMessagesPerConversation) {
  for (bool capped : {false, true}) {
    TempDir dir;
    auto file = (dir.path / "parley.db").string();
    auto options = capped ? SqliteIndexOptions{.bulk_rows = 4, .per_conversation = 100, .max_rows = 10, .chunk_rows = 100}
                          : SqliteIndexOptions{.bulk_rows = 4, .per_conversation = 3, .max_rows = 100, .chunk_rows = 100};
    auto store = open_sqlite(file, "FULL", {}, options);
    User sender = sqlite_user(*store, "Sam");
    std::vector<User> receivers;
    for (int i = 0; i < 6; ++i) receivers.push_back(sqlite_user(*store, "Rae"));
    auto indexed = [&] { return count_rows(file, "SELECT indexed_through FROM message_index_state"); };
    int sent = 0;
    // One message in each of 6 conversations: more than bulk_rows (4), fewer than 3 per conversation.
    for (auto& r : receivers) sqlite_append(*store, sender, r, numbered("m", ++sent));
    EXPECT_EQ(indexed(), 0) << "capped " << capped;
    // Uncapped: due at 3 per conversation (18); capped: at max_rows (10). The writer indexes
    // after answering a batch, so the next message's ack is the first to follow the bulk.
    int due = capped ? 10 : 18;
    for (int round = 0; round < 3; ++round) {
      for (auto& r : receivers) {
        sqlite_append(*store, sender, r, numbered("m", ++sent));
        if (sent == due - 1) {
          EXPECT_EQ(indexed(), 0) << "capped " << capped;
        }
        if (sent == due + 1) {
          EXPECT_EQ(indexed(), due) << "capped " << capped;
        }
      }
    }
    for (auto& r : receivers) EXPECT_EQ(history_ids(*store, sender, r, std::nullopt, 10).size(), 4u);
    store->close();
  }
}

TEST(SqliteStore, MigratesADatabaseOfSchemaOne) {
  TempDir dir;
  auto file = (dir.path / "parley.db").string();
  {
    sqlite::Connection db(file, "FULL");
    db.exec("CREATE TABLE parley_schema (version INTEGER NOT NULL)");
    db.exec(migrations()[0].sqlite);
    db.exec("INSERT INTO parley_schema (version) VALUES (1)");
    db.exec("INSERT INTO users (id, name, created_at) VALUES ('a', 'A', 0), ('b', 'B', 0), ('c', 'C', 0)");
    db.exec("INSERT INTO conversations (kind, direct_key, created_at) VALUES ('direct', 'a:b', 0), ('direct', 'a:c', 0)");
    db.exec("INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES "
            "(1, 'a', 0), (1, 'b', 0), (2, 'a', 0), (2, 'c', 0)");
    db.exec("INSERT INTO messages (conversation_id, sender_id, content, created_at) VALUES "
            "(1, 'a', 'one', 0), (2, 'a', 'other', 0), (1, 'b', 'two', 0), (1, 'a', 'three', 0)");
  }
  auto store = open_sqlite(file, "FULL");
  User a{"a", "A", "", "", 0}, b{"b", "B", "", "", 0};
  EXPECT_EQ(history_ids(*store, a, b, std::nullopt, 10), (std::vector<std::int64_t>{1, 3, 4}));
  // Messages 1, 3, 4 of the pair got seqs 1, 2, 3: the page before message 4 is message 3.
  EXPECT_EQ(history_ids(*store, b, a, 3, 1), (std::vector<std::int64_t>{3}));
  store->close();
  EXPECT_EQ(count_rows(file, "SELECT COUNT(*) FROM conversation_messages"), 4);
  EXPECT_EQ(count_rows(file, "SELECT indexed_through FROM message_index_state"), 4);
  EXPECT_EQ(count_rows(file, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'messages_conversation'"), 0);
  EXPECT_EQ(count_rows(file, "SELECT MAX(version) FROM parley_schema"), latest_schema_version());
}

TEST(SqliteStore, HistoryReadsTheIndexByItsKey) {
  TempDir dir;
  auto file = (dir.path / "parley.db").string();
  open_sqlite(file, "FULL")->close();
  sqlite::Connection db(file, "FULL");
  // The indexed half of the store's log query (sqlite_log_reader.cpp, by_seq_), under EXPLAIN.
  sqlite::Statement plan(db.handle(),
                         "EXPLAIN QUERY PLAN SELECT m.id FROM conversation_messages ci "
                         "JOIN messages m ON m.id = ci.message_id JOIN users u ON u.id = m.sender_id "
                         "WHERE ci.conversation_id = ?1 AND ci.seq >= ?2 AND ci.seq < ?3 "
                         "AND ci.message_id <= ?4 AND m.deleted_at IS NULL ORDER BY ci.seq DESC LIMIT ?5");
  std::string text;
  while (plan.step()) text += plan.text(3) + "\n";
  EXPECT_NE(text.find("PRIMARY KEY (conversation_id=? AND seq>? AND seq<?)"),
            std::string::npos) << text;
  EXPECT_EQ(text.find("TEMP B-TREE"), std::string::npos) << text;  // no sort: the index's order serves
}

// The reader's side of the hand-over, without a writer: a history read never answers from a
// RecentMessages that does not cover its snapshot (messages committed but not published, or
// pruned past the snapshot's indexed_through); it fails rather than leave messages out.
TEST(SqliteStore, HistoryNeverAnswersFromAnIncompleteTail) {
  TempDir dir;
  auto file = (dir.path / "parley.db").string();
  User a, b;
  std::int64_t conversation = 0;
  {
    auto store = open_sqlite(file, "FULL");
    a = sqlite_user(*store, "Ann");
    b = sqlite_user(*store, "Ben");
    for (int i = 0; i < 3; ++i) conversation = sqlite_append(*store, a, b, "m").conversation_id;
    store->close();
  }
  ASSERT_EQ(count_rows(file, "SELECT indexed_through FROM message_index_state"), 0);  // all three unindexed
  sqlite::Connection db(file, "FULL");
  LogReader reader(db);
  auto read = [&](const RecentMessages& recent, std::optional<std::int64_t> before_seq, std::size_t limit) {
    return reader.read_log(recent, direct_log(a, b, before_seq, limit));
  };
  auto ids = [](const Result<LogPage>& r) {
    std::vector<std::int64_t> out;
    if (auto* page = std::get_if<LogPage>(&r)) {
      for (auto& m : page->entries) out.push_back(m.id);
    }
    return out;
  };
  RecentMessages recent;
  recent.reset(0, 0);  // the snapshot holds ids 1-3, none published
  EXPECT_TRUE(failed(read(recent, std::nullopt, 10)));
  recent.publish({{conversation, 1, 1}, {conversation, 2, 2}, {conversation, 3, 3}});
  EXPECT_EQ(ids(read(recent, std::nullopt, 10)), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(ids(read(recent, 3, 1)), (std::vector<std::int64_t>{2}));  // ids and seqs 1-3 alike here
  recent.prune_through(2);  // as if a bulk had indexed 1-2 after this snapshot's start
  EXPECT_TRUE(failed(read(recent, std::nullopt, 10)));
}

// Readers on their own thread while the writer publishes, bulk-indexes and prunes: every read
// holds every message acknowledged before it was made, in order, and nothing of another pair.
TEST(SqliteStore, ConcurrentReadsSeeEveryAcknowledgedMessage) {
  TempDir dir;
  auto store = open_sqlite((dir.path / "parley.db").string(), "FULL", {}, SqliteIndexOptions{.bulk_rows = 16, .per_conversation = 1, .max_rows = 16, .chunk_rows = 5});
  User a = sqlite_user(*store, "Ann"), b = sqlite_user(*store, "Ben"), c = sqlite_user(*store, "Cid");
  std::mutex mutex;
  std::vector<std::int64_t> acknowledged;  // pair a-b, in ack order
  std::atomic<bool> writing{true};
  std::atomic<int> reads{0};
  std::string problem;
  std::thread reader([&] {
    while (writing || reads == 0) {
      std::vector<std::int64_t> known;
      {
        std::lock_guard lock(mutex);
        known = acknowledged;
      }
      auto ids = history_ids(*store, a, b, std::nullopt, 100'000);
      ++reads;
      std::set<std::int64_t> seen(ids.begin(), ids.end());
      bool ordered = std::is_sorted(ids.begin(), ids.end()) && seen.size() == ids.size();
      bool complete = std::all_of(known.begin(), known.end(), [&](auto id) { return seen.count(id) > 0; });
      if ((!ordered || !complete) && problem.empty()) {
        problem = "read " + std::to_string(reads) + ": " + std::to_string(ids.size()) + " ids, " +
                  std::to_string(known.size()) + " acknowledged, ordered " + std::to_string(ordered);
      }
    }
  });
  std::vector<std::thread> writers;
  std::set<std::int64_t> other_pair;
  std::mutex other_mutex;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 400; ++i) {
        if (t == 0) {
          auto m = sqlite_append(*store, i % 2 ? a : b, i % 2 ? b : a, "ab");
          std::lock_guard lock(mutex);
          acknowledged.push_back(m.id);
        } else {
          auto m = sqlite_append(*store, a, c, "ac");
          std::lock_guard lock(other_mutex);
          other_pair.insert(m.id);
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  writing = false;
  reader.join();
  EXPECT_EQ(problem, "");
  EXPECT_GT(reads.load(), 10);
  auto final_ids = history_ids(*store, b, a, std::nullopt, 100'000);
  std::sort(acknowledged.begin(), acknowledged.end());
  EXPECT_EQ(final_ids, acknowledged);
  for (auto id : final_ids) EXPECT_EQ(other_pair.count(id), 0u);
  store->close();
}

}  // namespace
