// The PostgreSQL store when a connection is lost in the middle of a commit (store.hpp, Failure):
// a batch that committed is reported stored, with its messages' ids, even though the answer to
// its COMMIT never arrived; a batch that did not commit is reported failed; and when the database
// cannot be asked in time, the outcome is reported unknown, never failed. The cuts are made by a
// proxy between the store and the test server (pg_cut_proxy.hpp) at the exact protocol message.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "pg_cut_proxy.hpp"
#include "store/postgres_store.hpp"
#include "store_test_support.hpp"

using namespace parley::store;
using namespace parley::store::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// The group commit's COMMIT (pg_group_commit.cpp), which the proxy cuts at.
constexpr char commit_statement[] = "parley_commit";

// A callback for a store call and the future it fulfils: for calls queued together.
template <class T>
struct Pending {
  std::shared_ptr<std::promise<T>> promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  std::function<void(T)> callback() {
    return [promise = promise](T value) { promise->set_value(std::move(value)); };
  }
  T get(std::chrono::seconds limit = 30s) {
    if (future.wait_for(limit) != std::future_status::ready) throw std::runtime_error("the store did not answer in time");
    return future.get();
  }
};

class PostgresInDoubtCommit : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    std::string url = postgres_test_url(why);
    ASSERT_FALSE(url.empty()) << why;
    proxy_ = std::make_unique<PgCutProxy>(url);
    store_ = open_postgres(proxy_->url());
    a_ = created_user("Ann");
    b_ = created_user("Ben");
  }
  void TearDown() override {
    if (store_) store_->close();
  }

  User new_user(const std::string& label) { return fresh_user(label); }
  User created_user(const std::string& label) { return stored_user(*store_, label); }

  // A text entry from `from` to the direct conversation of `from` and `to`.
  static NewEntry direct(const User& from, const User& to, const std::string& content, const std::string& key = {}) {
    return NewEntry{ConversationRef{.direct_with = to.id}, from.id, content, now_ms(), key};
  }
  NewEntry keyed(const std::string& content, const std::string& key) { return direct(a_, b_, content, key); }

  // The stored entry, or why not.
  Result<LogEntry> append(NewEntry entry) {
    auto appended = wait_for<Result<Appended>>([&](auto done) { store_->append(std::move(entry), done); });
    if (auto* failure = failed(appended)) return *failure;
    return std::get<Appended>(std::move(appended)).entry;
  }

  // The pair's log as `viewer` reads it, oldest first.
  std::vector<LogEntry> history(const User& viewer, const User& other) {
    LogRequest request{ConversationRef{.direct_with = other.id}, viewer.id, std::nullopt, 100};
    return ok(wait_for<Result<LogPage>>([&](auto done) { store_->read_log(request, done); })).entries;
  }
  std::vector<LogEntry> history() { return history(a_, b_); }

  std::unique_ptr<PgCutProxy> proxy_;
  std::unique_ptr<Store> store_;
  User a_, b_;
};

// The server commits the batch and answers; the answer is lost with the connection. Every write
// of the batch is reported as stored, with what was stored, and a retry finds it.
TEST_F(PostgresInDoubtCommit, ABatchWhoseCommitAnswerIsLostIsReportedStored) {
  proxy_->arm(commit_statement, PgCutProxy::Cut::after_answer);
  std::string key = "key-" + random_token();
  User carol = new_user("Cid");
  // Queued back to back, so that they share the batch that is cut (should the writer take the
  // first alone, the others commit in the next one: each must still be answered as stored).
  Pending<Result<Appended>> first, plain;
  Pending<Result<CreateUser>> user;
  store_->append(keyed("kept", key), first.callback());
  store_->append(direct(b_, a_, "plain"), plain.callback());
  store_->create_user(carol, user.callback());
  ASSERT_TRUE(proxy_->wait_for_cut(10s)) << "the store never sent a COMMIT";

  auto stored = first.get();
  ASSERT_FALSE(failed(stored)) << "a committed message reported as failed: " << failed(stored)->message;
  LogEntry message = std::get<Appended>(stored).entry;
  EXPECT_FALSE(message.already_stored);
  EXPECT_EQ(message.content, "kept");
  LogEntry plain_message = ok(plain.get()).entry;
  EXPECT_EQ(ok(user.get()), CreateUser::created);

  auto in_history = history();
  ASSERT_EQ(in_history.size(), 2u);  // each exactly once
  EXPECT_EQ(in_history[0].id, std::min(message.id, plain_message.id));
  EXPECT_EQ(in_history[1].id, std::max(message.id, plain_message.id));

  auto retry = ok(append(keyed("kept", key)));
  EXPECT_TRUE(retry.already_stored);
  EXPECT_EQ(retry.id, message.id);
  EXPECT_EQ(retry.conversation_id, message.conversation_id);
  EXPECT_EQ(history().size(), 2u);
  EXPECT_EQ(ok(wait_for<Result<CreateUser>>([&](auto done) { store_->create_user(carol, done); })), CreateUser::id_taken);
}

// The connection is lost before the COMMIT reaches the server: nothing was stored, and the store
// says so plainly (not "unknown"); a retry stores the message once.
TEST_F(PostgresInDoubtCommit, ABatchCutBeforeItsCommitIsReportedFailed) {
  proxy_->arm(commit_statement, PgCutProxy::Cut::before_server);
  std::string key = "key-" + random_token();
  auto lost = append(keyed("lost", key));
  ASSERT_TRUE(proxy_->wait_for_cut(1s)) << "the store never sent a COMMIT";
  ASSERT_TRUE(failed(lost)) << "a message whose COMMIT never reached the server was reported stored";
  EXPECT_FALSE(failed(lost)->outcome_unknown) << "the server, asked again, knows it did not commit";
  EXPECT_FALSE(failed(lost)->client_error);
  EXPECT_TRUE(history().empty());

  auto retry = ok(append(keyed("lost", key)));
  EXPECT_FALSE(retry.already_stored);
  auto in_history = history();
  ASSERT_EQ(in_history.size(), 1u);
  EXPECT_EQ(in_history[0].id, retry.id);
}

// As above, but the server never learns that the connection is gone (a network partition): the
// old session stays open inside the transaction, which is "in progress" when the store asks. The
// store ends that session (pg_terminate_backend) and then knows: failed, not unknown.
TEST_F(PostgresInDoubtCommit, ATransactionLeftOpenByAPartitionIsEndedAndReportedFailed) {
  proxy_->arm(commit_statement, PgCutProxy::Cut::before_server_unnoticed);
  std::string key = "key-" + random_token();
  auto lost = append(keyed("lost", key));
  ASSERT_TRUE(proxy_->wait_for_cut(1s)) << "the store never sent a COMMIT";
  ASSERT_TRUE(failed(lost)) << "a message whose COMMIT never reached the server was reported stored";
  EXPECT_FALSE(failed(lost)->outcome_unknown) << "the store did not settle the transaction left open";
  EXPECT_TRUE(history().empty());
  // The old session no longer holds the key: the retry neither waits for it nor finds it taken.
  auto retry = ok(append(keyed("lost", key)));
  EXPECT_FALSE(retry.already_stored);
  EXPECT_EQ(history().size(), 1u);
}

// A batch in which one write fails runs again with savepoints (pg_group_commit.cpp); its COMMIT's
// answer lost, the write that failed is still reported failed and the others stored.
TEST_F(PostgresInDoubtCommit, AFailedWriteOfACutBatchStaysFailed) {
  proxy_->arm(commit_statement, PgCutProxy::Cut::after_answer);
  std::string key = "key-" + random_token();
  User nobody = new_user("Nobody");  // never stored: a message to them fails
  Pending<Result<Appended>> kept, refused;
  store_->append(keyed("kept", key), kept.callback());
  store_->append(direct(a_, nobody, "to nobody"), refused.callback());
  ASSERT_TRUE(proxy_->wait_for_cut(10s)) << "the store never sent a COMMIT";
  auto stored = kept.get();
  ASSERT_FALSE(failed(stored)) << failed(stored)->message;
  auto failure = refused.get();
  ASSERT_TRUE(failed(failure));
  EXPECT_FALSE(failed(failure)->outcome_unknown);
  auto in_history = history();
  ASSERT_EQ(in_history.size(), 1u);
  EXPECT_EQ(in_history[0].id, std::get<Appended>(stored).entry.id);
  EXPECT_TRUE(history(a_, nobody).empty());
}

// The answer is lost and the database then stays unreachable past the store's budget for asking:
// the outcome is reported unknown (never failed), later writes fail at once meanwhile, and once
// the database is back a retry with the same key settles it.
TEST_F(PostgresInDoubtCommit, AnOutcomeThatCannotBeLearnedIsReportedUnknown) {
  proxy_->arm(commit_statement, PgCutProxy::Cut::after_answer, /*refuse_after=*/true);
  std::string key = "key-" + random_token();
  Pending<Result<Appended>> first;
  store_->append(keyed("maybe", key), first.callback());
  ASSERT_TRUE(proxy_->wait_for_cut(10s)) << "the store never sent a COMMIT";

  auto started = Clock::now();
  auto meanwhile = append(keyed("meanwhile", "key-" + random_token()));
  ASSERT_TRUE(failed(meanwhile));
  EXPECT_FALSE(failed(meanwhile)->outcome_unknown) << "never sent, so certainly not stored";
  EXPECT_LT(Clock::now() - started, 2s) << "writes must fail fast while the database is unreachable";

  auto outcome = first.get();
  ASSERT_TRUE(failed(outcome)) << "the store cannot have learned that it committed";
  EXPECT_TRUE(failed(outcome)->outcome_unknown) << failed(outcome)->message;
  EXPECT_FALSE(failed(outcome)->client_error);

  proxy_->accept_connections();
  auto deadline = Clock::now() + 30s;
  Result<LogEntry> retry = Failure{"not tried"};
  while (Clock::now() < deadline && failed(retry = append(keyed("maybe", key)))) std::this_thread::sleep_for(50ms);
  ASSERT_FALSE(failed(retry)) << "the store did not recover: " << failed(retry)->message;
  EXPECT_TRUE(std::get<LogEntry>(retry).already_stored) << "the server had committed it";
  auto in_history = history();
  ASSERT_EQ(in_history.size(), 1u);
  EXPECT_EQ(in_history[0].id, std::get<LogEntry>(retry).id);
  EXPECT_EQ(in_history[0].content, "maybe");
}

}  // namespace
