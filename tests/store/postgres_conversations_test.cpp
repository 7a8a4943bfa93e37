// The PostgreSQL store's conversation log with several writers: two stores (as two nodes would)
// appending to one group at once get one gap-free sequence, each store's acks in its commit
// order, and a non-member's appends, refused in the same batches, cost nobody a seq.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>

#include "store/postgres_store.hpp"
#include "store_test_support.hpp"

using namespace parley::store;
using namespace parley::store::test;
using namespace std::chrono_literals;

namespace {

User make_user(Store& store, const std::string& label) {
  std::string token = random_token();
  User user{"id-" + token, label + " " + token, label + "_" + token, "", now_ms()};
  EXPECT_EQ(ok(wait_for<Result<CreateUser>>([&](auto done) { store.create_user(user, done); })), CreateUser::created);
  return user;
}

TEST(PostgresConversations, TwoStoresAppendingToOneGroupGetOneGapFreeSequence) {
  std::string why;
  std::string url = postgres_test_url(why);
  ASSERT_FALSE(url.empty()) << why;
  auto node_a = open_postgres(url);
  auto node_b = open_postgres(url);
  User owner = make_user(*node_a, "Owner"), ann = make_user(*node_a, "Ann"), ben = make_user(*node_b, "Ben");
  User stranger = make_user(*node_b, "Stranger");
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
  User owner = make_user(*node_a, "Owner"), leaving = make_user(*node_a, "Leaving");
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

}  // namespace
