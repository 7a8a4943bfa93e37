// What the store tests share: random names, waiting for a callback with a limit, temporary
// directories, where the PostgreSQL test server is, new users, and the fixture of the contract
// tests (a store of each backend, opened for each test).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>

#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"
#include "store/store.hpp"

namespace parley::store::test {

using namespace std::chrono_literals;

inline std::string random_token() {
  static std::mutex mutex;
  static std::mt19937_64 engine{std::random_device{}()};
  std::lock_guard lock(mutex);
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string token;
  for (int i = 0; i < 10; ++i) token += digits[engine() % 36];
  return token;
}

// Not `"m" + std::to_string(i)`: GCC 12 warns falsely about that (-Wrestrict, bug 105329).
inline std::string numbered(std::string prefix, int i) {
  prefix += std::to_string(i);
  return prefix;
}

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Calls `call` with a callback and waits for it to be called; a missing answer fails the test
// instead of hanging it.
template <class T, class Call>
T wait_for(Call call, std::chrono::milliseconds limit = 30s) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  call([promise](T value) { promise->set_value(std::move(value)); });
  if (future.wait_for(limit) != std::future_status::ready) throw std::runtime_error("the store did not answer in time");
  return future.get();
}

template <class T>
T ok(Result<T> result) {
  if (auto* failure = failed(result)) throw std::runtime_error("store call failed: " + failure->message);
  return std::get<T>(std::move(result));
}

struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "parley-store-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::filesystem::path path;
};

inline std::string read_first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// The URL of the shared test server, or "" with `why` saying how to provide one.
inline std::string postgres_test_url(std::string& why) {
  if (const char* url = std::getenv("PARLEY_TEST_POSTGRES_URL"); url && *url) return url;
  if (const char* file = std::getenv("PARLEY_TEST_POSTGRES_URL_FILE"); file && *file) {
    std::string url = read_first_line(file);
    if (url.empty()) why = std::string("PARLEY_TEST_POSTGRES_URL_FILE names ") + file + ", which holds no URL: did the pg-server-start test fail?";
    return url;
  }
  why = "the PostgreSQL store tests need a server: run them through ctest (which starts one), or run "
        "`scripts/pg-test-server.sh start /tmp/parley-pg` and set PARLEY_TEST_POSTGRES_URL to the URL it prints";
  return {};
}

// The same server, another database.
inline std::string with_database(const std::string& url, const std::string& database) {
  return url.substr(0, url.rfind('/') + 1) + database;
}

// A user not stored yet: a random id, name and username after `label`.
inline User fresh_user(const std::string& label, std::string password_hash = {}) {
  std::string token = random_token();
  return User{"id-" + token, label + " " + token, label + "_" + token, std::move(password_hash), now_ms()};
}

// A fresh user, stored (the test fails unless it was created).
inline User stored_user(Store& store, const std::string& label, std::string password_hash = {}) {
  User user = fresh_user(label, std::move(password_hash));
  EXPECT_EQ(ok(wait_for<Result<CreateUser>>([&](auto done) { store.create_user(user, done); })), CreateUser::created);
  return user;
}

// The fixture of a typed contract test: a store of `Backend` (a type with `open(why)`), opened
// before each test and closed after it.
template <class Backend>
class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    store_ = backend_.open(why);
    if (!store_) FAIL() << why;
  }
  void TearDown() override {
    if (store_) store_->close();
  }

  Backend backend_;  // first: it may hold the directory the store lives in
  std::unique_ptr<Store> store_;
};

}  // namespace parley::store::test

// --- the stores under test --------------------------------------------------------------------
// At global scope, so that the test names CTest shows end in a short "<SqliteBackend>".

struct SqliteBackend {
  std::unique_ptr<parley::store::Store> open(std::string&) {
    return parley::store::open_sqlite((dir.path / "parley.db").string(), "FULL");
  }
  parley::store::test::TempDir dir;
};

struct PostgresBackend {
  std::unique_ptr<parley::store::Store> open(std::string& why) {
    std::string url = parley::store::test::postgres_test_url(why);
    return url.empty() ? nullptr : parley::store::open_postgres(url);
  }
};

// SQLite with tiny bulks: most entries go through every state of the bulk index (unindexed,
// a bulk half done, indexed) while the contract runs; and a writer that keeps two conversations
// in memory, so that its caches are dropped and reloaded all along.
struct SqliteBulkBackend {
  std::unique_ptr<parley::store::Store> open(std::string&) {
    return parley::store::open_sqlite((dir.path / "parley.db").string(), "FULL", {},
                       parley::store::SqliteIndexOptions{.bulk_rows = 7, .per_conversation = 1, .max_rows = 7, .chunk_rows = 3,
                                          .cached_conversations = 2});
  }
  parley::store::test::TempDir dir;
};
