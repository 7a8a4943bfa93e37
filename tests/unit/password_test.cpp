// Tests for auth/password.hpp: argon2id hashes, and the bounded pool's refusals and callbacks.
#include "auth/password.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace parley::auth {
namespace {

TEST(PasswordHashNow, ProducesArgon2idThatVerifies) {
  const std::string hash = PasswordHasher::hash_now("correct horse");
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_TRUE(PasswordHasher::verify_now("correct horse", hash));
}

TEST(PasswordHashNow, RefusesWrongPassword) {
  const std::string hash = PasswordHasher::hash_now("correct horse");
  EXPECT_FALSE(PasswordHasher::verify_now("correct horse ", hash));
  EXPECT_FALSE(PasswordHasher::verify_now("", hash));
}

TEST(PasswordHashNow, SaltsEveryHash) {
  const std::string first = PasswordHasher::hash_now("same");
  const std::string second = PasswordHasher::hash_now("same");
  EXPECT_NE(first, second);
  EXPECT_TRUE(PasswordHasher::verify_now("same", first));
  EXPECT_TRUE(PasswordHasher::verify_now("same", second));
}

TEST(PasswordHashNow, HandlesEmptyAndBinaryPasswords) {
  const std::string binary("a\0b", 3);
  const std::string hash = PasswordHasher::hash_now(binary);
  EXPECT_TRUE(PasswordHasher::verify_now(binary, hash));
  EXPECT_FALSE(PasswordHasher::verify_now("a", hash));
  EXPECT_TRUE(PasswordHasher::verify_now("", PasswordHasher::hash_now("")));
}

TEST(PasswordHashNow, RefusesBrokenHashes) {
  EXPECT_FALSE(PasswordHasher::verify_now("x", ""));
  EXPECT_FALSE(PasswordHasher::verify_now("x", "not a hash"));
  EXPECT_FALSE(PasswordHasher::verify_now("x", std::string(1000, '$')));
  std::string truncated_by_nul = PasswordHasher::hash_now("x");
  truncated_by_nul.insert(10, 1, '\0');
  EXPECT_FALSE(PasswordHasher::verify_now("x", truncated_by_nul));
}

TEST(PasswordHasherPool, RunsCallbacksOnAPoolThread) {
  PasswordHasher hasher(2, 8);
  std::promise<std::pair<bool, std::string>> hashed;
  std::promise<std::thread::id> hash_thread;
  ASSERT_TRUE(hasher.hash("secret", [&](bool ok, std::string hash) {
    hash_thread.set_value(std::this_thread::get_id());
    hashed.set_value({ok, std::move(hash)});
  }));
  const auto [ok, hash] = hashed.get_future().get();
  EXPECT_TRUE(ok);
  EXPECT_NE(hash_thread.get_future().get(), std::this_thread::get_id());

  std::promise<std::pair<bool, bool>> right;
  std::promise<std::pair<bool, bool>> wrong;
  ASSERT_TRUE(hasher.verify("secret", hash, [&](bool ok, bool matches) { right.set_value({ok, matches}); }));
  ASSERT_TRUE(hasher.verify("guess", hash, [&](bool ok, bool matches) { wrong.set_value({ok, matches}); }));
  EXPECT_EQ(right.get_future().get(), std::make_pair(true, true));
  EXPECT_EQ(wrong.get_future().get(), std::make_pair(true, false));
}

TEST(PasswordHasherPool, ReportsABrokenStoredHashAsNotOk) {
  PasswordHasher hasher(1, 1);
  std::promise<std::pair<bool, bool>> result;
  ASSERT_TRUE(hasher.verify("x", "plain-text", [&](bool ok, bool matches) { result.set_value({ok, matches}); }));
  EXPECT_EQ(result.get_future().get(), std::make_pair(false, false));
}

TEST(PasswordHasherPool, RefusesAtOnceWhenTheQueueIsFull) {
  PasswordHasher hasher(1, 1);
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  // The only worker blocks inside the first callback, so the next job has to wait in the queue.
  ASSERT_TRUE(hasher.hash("first", [&](bool, std::string) {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();

  std::promise<bool> second;
  ASSERT_TRUE(hasher.hash("second", [&](bool ok, std::string) { second.set_value(ok); }));
  std::promise<bool> verified;
  ASSERT_TRUE(hasher.verify("second", "x", [&](bool ok, bool) { verified.set_value(ok); }));  // a queue of its own
  std::atomic<int> refused_calls = 0;
  EXPECT_FALSE(hasher.hash("third", [&](bool, std::string) { ++refused_calls; }));
  EXPECT_FALSE(hasher.verify("third", "x", [&](bool, bool) { ++refused_calls; }));

  release.set_value();
  EXPECT_TRUE(second.get_future().get());
  EXPECT_FALSE(verified.get_future().get());  // "x" is no hash
  // Room again once the queue has drained.
  std::promise<bool> fourth;
  ASSERT_TRUE(hasher.hash("fourth", [&](bool ok, std::string) { fourth.set_value(ok); }));
  EXPECT_TRUE(fourth.get_future().get());
  EXPECT_EQ(refused_calls, 0);
}

TEST(PasswordHasherPool, LoginsDoNotWaitBehindQueuedRegistrations) {
  PasswordHasher hasher(1, 16);
  const std::string stored = PasswordHasher::hash_now("secret");
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<std::string> order;  // written by the only worker, read once it is done
  ASSERT_TRUE(hasher.hash("blocker", [&](bool, std::string) {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  std::promise<void> all_done;
  std::atomic<int> left = 7;
  auto finished = [&](std::string what) {
    order.push_back(std::move(what));
    if (--left == 0) all_done.set_value();
  };
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(hasher.hash("p", [&, i](bool, std::string) { finished("register " + std::to_string(i)); }));
  ASSERT_TRUE(hasher.verify("secret", stored, [&](bool, bool) { finished("login 1"); }));
  ASSERT_TRUE(hasher.verify("secret", stored, [&](bool, bool) { finished("login 2"); }));
  release.set_value();
  all_done.get_future().wait();
  // Turns: a login, a registration, a login, then the registrations left.
  EXPECT_EQ(order, (std::vector<std::string>{"login 1", "register 0", "login 2", "register 1", "register 2",
                                             "register 3", "register 4"}));
}

TEST(PasswordHasherPool, FinishesQueuedJobsBeforeDestruction) {
  std::atomic<int> done = 0;
  {
    PasswordHasher hasher(1, 4);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(hasher.hash("p", [&](bool ok, std::string) {
        if (ok) ++done;
      }));
    }
  }
  EXPECT_EQ(done, 3);
}

TEST(PasswordHasherPool, TreatsZeroThreadsAsOne) {
  PasswordHasher hasher(0, 1);
  std::promise<bool> result;
  ASSERT_TRUE(hasher.hash("p", [&](bool ok, std::string) { result.set_value(ok); }));
  EXPECT_TRUE(result.get_future().get());
}

}  // namespace
}  // namespace parley::auth
