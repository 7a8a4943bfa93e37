// The PostgreSQL store's conversation log with several writers: two stores (as two nodes would)
// appending to one group at once get one gap-free sequence, each store's acks in its commit
// order, and a non-member's appends, refused in the same batches, cost nobody a seq.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>

#include "store/migrations.hpp"
#include "store/pg_connection.hpp"
#include "store/postgres_store.hpp"
#include "store_test_support.hpp"

using namespace parley::store;
using namespace parley::store::test;
using namespace std::chrono_literals;

namespace {

TEST(PostgresConversations, TwoStoresAppendingToOneGroupGetOneGapFreeSequence) {
  std::string why;
  std::string url = postgres_test_url(why);
  ASSERT_FALSE(url.empty()) << why;
  auto node_a = open_postgres(url);
  auto node_b = open_postgres(url);
  User owner = stored_user(*node_a, "Owner"), ann = stored_user(*node_a, "Ann"), ben = stored_user(*node_b, "Ben");
  User stranger = stored_user(*node_b, "Stranger");
  NewGroup group{"several writers", owner.id, {ann.id, ben.id}, now_ms(), R"({"type":"created"})"};
  auto created = ok(wait_for<Result<Changed>>([&](auto done) { node_a->create_group(group, done); }));
  std::int64_t id = created.entry.conversation_id;
  ASSERT_EQ(created.entry.seq, 1);

  constexpr int per_store = 500;
  struct Writer {
    Writer(Store* s, const User* u) : store(s), sender(u) {}
    Store* store;
    const User* sender;
    std::mutex mutex;
    std::vector<std::int64_t> acked;  // seqs, in the order the store answered them
    int failures = 0, forbidden = 0, strangers_stored = 0;
    std::promise<void> all_answered;
    int answered = 0;
  };
  Writer a(node_a.get(), &ann), b(node_b.get(), &ben);
  constexpr int strangers = 50;  // node b only: refused inside its batches
  auto run = [&](Writer& w, int expected_answers, bool with_stranger) {
    auto answered = [&w, expected_answers] {
      if (++w.answered == expected_answers) w.all_answered.set_value();
    };
    for (int i = 0; i < per_store; ++i) {
      w.store->append(NewEntry{ConversationRef{id, {}}, w.sender->id, numbered("m", i), now_ms()},
                      [&w, answered](Result<Appended> r) {
                        std::lock_guard lock(w.mutex);
                        if (auto* appended = std::get_if<Appended>(&r)) {
                          w.acked.push_back(appended->entry.seq);
                        } else {
                          ++w.failures;
                        }
                        answered();
                      });
      if (with_stranger && i % (per_store / strangers) == 0) {
        w.store->append(NewEntry{ConversationRef{id, {}}, stranger.id, "let me in", now_ms()},
                        [&w, answered](Result<Appended> r) {
                          std::lock_guard lock(w.mutex);
                          auto* failure = failed(r);
                          if (failure && failure->refusal == Refusal::forbidden) {
                            ++w.forbidden;
                          } else {
                            ++w.strangers_stored;
                          }
                          answered();
                        });
      }
    }
  };
  std::thread thread_a([&] { run(a, per_store, false); });
  std::thread thread_b([&] { run(b, per_store + strangers, true); });
  thread_a.join();
  thread_b.join();
  ASSERT_EQ(a.all_answered.get_future().wait_for(60s), std::future_status::ready);
  ASSERT_EQ(b.all_answered.get_future().wait_for(60s), std::future_status::ready);

  EXPECT_EQ(a.failures, 0);
  EXPECT_EQ(b.failures, 0);
  EXPECT_EQ(b.forbidden, strangers);
  EXPECT_EQ(b.strangers_stored, 0);
  for (Writer* w : {&a, &b}) {
    EXPECT_EQ(w->acked.size(), static_cast<std::size_t>(per_store));
    EXPECT_TRUE(std::is_sorted(w->acked.begin(), w->acked.end())) << "a store's acks out of commit order";
    EXPECT_EQ(std::adjacent_find(w->acked.begin(), w->acked.end()), w->acked.end()) << "a seq acked twice";
  }
  // Both stores' seqs together: exactly 2..1001, once each.
  std::vector<std::int64_t> all = a.acked;
  all.insert(all.end(), b.acked.begin(), b.acked.end());
  std::sort(all.begin(), all.end());
  std::vector<std::int64_t> expected;
  for (std::int64_t seq = 2; seq <= 2 * per_store + 1; ++seq) expected.push_back(seq);
  EXPECT_EQ(all, expected);
  // The log as stored: 1..1001 without gaps or duplicates, each entry the sender's own.
  auto page = ok(wait_for<Result<LogPage>>(
      [&](auto done) { node_b->read_log(LogRequest{ConversationRef{id, {}}, owner.id, std::nullopt, 5000}, done); }));
  ASSERT_EQ(page.entries.size(), static_cast<std::size_t>(2 * per_store + 1));
  for (std::size_t i = 0; i < page.entries.size(); ++i) EXPECT_EQ(page.entries[i].seq, static_cast<std::int64_t>(i + 1));
  EXPECT_EQ(page.state.last_seq, 2 * per_store + 1);
  for (const auto& e : page.entries) EXPECT_NE(e.sender_id, stranger.id);
  // Messages of one sender keep their order in the log (each store commits in order).
  std::vector<std::string> ann_contents;
  for (const auto& e : page.entries) {
    if (e.sender_id == ann.id) ann_contents.push_back(e.content);
  }
  ASSERT_EQ(ann_contents.size(), static_cast<std::size_t>(per_store));
  for (int i = 0; i < per_store; ++i) EXPECT_EQ(ann_contents[static_cast<std::size_t>(i)], numbered("m", i));
  node_a->close();
  node_b->close();
}

// A member removed on one node while another node's batches append for it: every append is
// either before the removal (a seq below its entry) or refused; none lands after it.
TEST(PostgresConversations, NoAppendLandsAfterTheSendersRemovalOnAnotherNode) {
  std::string why;
  std::string url = postgres_test_url(why);
  ASSERT_FALSE(url.empty()) << why;
  auto node_a = open_postgres(url);
  auto node_b = open_postgres(url);
  User owner = stored_user(*node_a, "Owner"), leaving = stored_user(*node_a, "Leaving");
  NewGroup group{"removal race", owner.id, {leaving.id}, now_ms(), R"({"type":"created"})"};
  std::int64_t id = ok(wait_for<Result<Changed>>([&](auto done) { node_a->create_group(group, done); })).entry.conversation_id;

  constexpr int sends = 400;
  std::mutex mutex;
  std::vector<std::int64_t> stored;
  int refused_count = 0, answered = 0;
  std::promise<void> done_all;
  std::thread sender([&] {
    for (int i = 0; i < sends; ++i) {
      node_b->append(NewEntry{ConversationRef{id, {}}, leaving.id, "still here?", now_ms()}, [&](Result<Appended> r) {
        std::lock_guard lock(mutex);
        if (auto* a = std::get_if<Appended>(&r)) stored.push_back(a->entry.seq);
        if (auto* f = failed(r); f && f->refusal == Refusal::forbidden) ++refused_count;
        if (++answered == sends) done_all.set_value();
      });
      if (i % 4 == 0) std::this_thread::sleep_for(1ms);  // spread the sends over the removal
    }
  });
  std::this_thread::sleep_for(30ms);  // pacing: the removal lands among the sends
  auto removal = ok(wait_for<Result<Changed>>([&](auto done) {
    node_a->change_conversation(id, [&](const ConversationState&) -> ConversationDecision {
      ConversationChange change;
      change.remove = {leaving.id};
      change.actor_id = owner.id;
      change.system_json = R"({"type":"member_removed"})";
      return change;
    }, done);
  }));
  sender.join();
  ASSERT_EQ(done_all.get_future().wait_for(60s), std::future_status::ready);
  std::lock_guard lock(mutex);
  EXPECT_EQ(stored.size() + static_cast<std::size_t>(refused_count), static_cast<std::size_t>(sends));
  for (auto seq : stored) EXPECT_LT(seq, removal.entry.seq);
  EXPECT_EQ(removal.entry.seq, static_cast<std::int64_t>(stored.size()) + 2);  // gap-free: created, the sends, removal
  std::printf("[ race ] %zu appends before the removal, %d refused after it\n", stored.size(), refused_count);
  node_a->close();
  node_b->close();
}

// A batch whose transaction is chosen as a deadlock's victim (another session locks, in the
// other order, two conversations the batch appends to) is run again, and its writes are stored:
// no error reaches their callers for a race they did not cause.
TEST(PostgresConversations, ABatchThatLosesADeadlockIsRunAgainAndStored) {
  std::string why;
  std::string url = postgres_test_url(why);
  ASSERT_FALSE(url.empty()) << why;
  auto store = open_postgres(url);
  User owner = stored_user(*store, "Owner"), ann = stored_user(*store, "Ann");
  std::vector<std::int64_t> groups;
  for (int i = 0; i < 3; ++i) {
    NewGroup group{numbered("deadlock ", i), owner.id, {ann.id}, now_ms(), R"({"type":"created"})"};
    groups.push_back(ok(wait_for<Result<Changed>>([&](auto done) { store->create_group(group, done); })).entry.conversation_id);
  }
  auto deadline = [] { return pg::Clock::now() + 30s; };
  pg::Connection first(url, 10s), second(url, 10s), watcher(url, 10s);
  auto lock = [&](pg::Connection& db, std::int64_t conversation) {
    db.exec("SELECT id FROM conversations WHERE id = $1 FOR UPDATE", pg::Params().int64(conversation), deadline());
  };
  // Waits until a session (the store's writer) waits for a lock `holder` holds.
  auto wait_until_blocked_by = [&](pg::Connection& holder) {
    for (int i = 0; i < 1000; ++i) {
      auto r = watcher.exec("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
                            pg::Params().int64(holder.backend_pid()), deadline());
      if (r.int64(0, 0) > 0) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  };
  auto append = [&](std::int64_t conversation, const std::string& content) {
    auto done = std::make_shared<std::promise<Result<Appended>>>();
    auto future = done->get_future();
    store->append(NewEntry{ConversationRef{conversation, {}}, ann.id, content, now_ms()},
                  [done](Result<Appended> r) { done->set_value(std::move(r)); });
    return future;
  };

  // The writer is held on the third group, so that the next two appends make one batch.
  first.exec("BEGIN", deadline());
  lock(first, groups[2]);
  auto held = append(groups[2], "held");
  ASSERT_TRUE(wait_until_blocked_by(first));
  auto one = append(groups[0], "one"), two = append(groups[1], "two");
  // That batch locks group 0, then waits for group 1, which `second` holds; `second` then
  // asks for group 0: a deadlock, whose victim is the writer (it has waited the longest, so
  // its deadlock_timeout runs out first).
  second.exec("BEGIN", deadline());
  lock(second, groups[1]);
  first.exec("COMMIT", deadline());
  ASSERT_TRUE(wait_until_blocked_by(second));
  EXPECT_NO_THROW(lock(second, groups[0]));  // granted once the writer's transaction is undone
  second.exec("COMMIT", deadline());

  for (auto* future : {&held, &one, &two}) {
    ASSERT_EQ(future->wait_for(30s), std::future_status::ready);
    auto result = future->get();
    auto* failure = failed(result);
    ASSERT_EQ(failure, nullptr) << failure->message;
    EXPECT_EQ(std::get<Appended>(result).entry.seq, 2);  // after the group's `created` entry
  }
  store->close();
}

// A database of schema 2 with direct messages (one deleted, one read marker) migrates to the
// log: seqs in id order per conversation, the conversations' tails, the members' markers.
TEST(PostgresConversations, MigratingSchemaTwoGivesSeqsInIdOrder) {
  std::string why;
  std::string server = postgres_test_url(why);
  ASSERT_FALSE(server.empty()) << why;
  std::string name = "parley_migrate_" + random_token();
  auto deadline = [] { return pg::Clock::now() + 30s; };
  pg::Connection admin(with_database(server, "postgres"), 10s);
  admin.exec("CREATE DATABASE " + name, deadline());  // a generated name, not input
  std::string url = with_database(server, name);
  {
    pg::Connection db(url, 10s);
    db.exec("CREATE TABLE parley_schema (version INTEGER NOT NULL)", deadline());
    db.exec(migrations()[0].postgres, deadline());
    db.exec(migrations()[1].postgres, deadline());
    db.exec("INSERT INTO parley_schema (version) VALUES (1), (2)", deadline());
    db.exec("INSERT INTO users (id, name, created_at) VALUES ('a', 'A', 0), ('b', 'B', 0), ('c', 'C', 0)", deadline());
    db.exec("INSERT INTO conversations (kind, direct_key, created_at) VALUES ('direct', 'a:b', 10), ('direct', 'a:c', 20), "
            "('direct', 'b:c', 30)", deadline());
    db.exec("INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES "
            "(1, 'a', 10), (1, 'b', 10), (2, 'a', 20), (2, 'c', 20), (3, 'b', 30), (3, 'c', 30)", deadline());
    db.exec("INSERT INTO messages (conversation_id, sender_id, content, created_at) VALUES "
            "(1, 'a', 'one', 100), (2, 'a', 'other', 110), (1, 'b', 'two', 120), (1, 'a', 'three', 130)", deadline());
    db.exec("UPDATE messages SET deleted_at = 140 WHERE id = 4", deadline());
    db.exec("UPDATE conversation_members SET last_read_message_id = 3 WHERE conversation_id = 1 AND user_id = 'a'",
            deadline());
  }
  auto store = open_postgres(url);
  pg::Connection db(url, 10s);
  auto text = [&](const std::string& sql) {
    auto r = db.exec(sql, deadline());
    std::string out;
    for (int i = 0; i < r.rows(); ++i) {
      if (i) out += ';';
      out += r.text(i, 0);
    }
    return out;
  };
  EXPECT_EQ(text("SELECT id || '=' || seq FROM messages ORDER BY id"), "1=1;2=1;3=2;4=3");
  EXPECT_EQ(text("SELECT last_seq || ',' || last_activity_at || ',' || COALESCE(last_message_id::text, '-') "
                 "FROM conversations ORDER BY id"),
            "3,130,3;1,110,2;0,30,-");
  EXPECT_EQ(text("SELECT user_id || ':' || joined_seq || ',' || read_seq || ',' || delivered_seq || ',' || role "
                 "FROM conversation_members WHERE conversation_id = 1 ORDER BY user_id"),
            "a:1,2,2,member;b:1,0,0,member");
  // The store goes on from there: the next seq, and the unread count from the marker.
  User a{"a", "A", "", "", 0}, b{"b", "B", "", "", 0};
  auto appended = ok(wait_for<Result<Appended>>(
      [&](auto done) { store->append(NewEntry{ConversationRef{0, "a"}, "b", "four", now_ms()}, done); }));
  EXPECT_EQ(appended.entry.seq, 4);
  EXPECT_EQ(appended.entry.conversation_id, 1);
  auto view = ok(wait_for<Result<ConversationView>>([&](auto done) { store->get_conversation(1, "a", done); }));
  EXPECT_EQ(view.unread_count, 1);  // "four" (b's "two" is read, "three" is a's own and deleted)
  EXPECT_EQ(view.last_read_seq, 2);
  store->close();
  admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", deadline());
}

}  // namespace
