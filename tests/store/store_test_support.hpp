// What the store tests share: random names, waiting for a callback with a limit, temporary
// directories, and where the PostgreSQL test server is.
#pragma once

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

}  // namespace parley::store::test
