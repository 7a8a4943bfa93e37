// Password hashing with argon2id (libsodium's crypto_pwhash_str, interactive limits). Hashing
// takes tens of milliseconds, so it runs on a small bounded pool, never on a network thread.
//
// Logins (verify) and registrations (hash) wait in queues of their own, and the workers take
// from them in turn: a flood of registrations cannot make logins wait behind it, and the other
// way round, each getting at least half of the pool while both are busy.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace parley::auth {

class PasswordHasher {
 public:
  // `threads` workers (at least one); at most `max_queued` jobs wait in each queue (more are
  // refused at once).
  PasswordHasher(std::size_t threads, std::size_t max_queued);
  ~PasswordHasher();

  // Both return false at once, without calling `done`, when `max_queued` jobs are already
  // waiting in their queue (or the hasher is being destroyed): answer 503 / try later. Otherwise `done` runs
  // exactly once, on a pool thread, and must not throw. For hash(), `ok` false means hashing
  // failed (memory could not be had); for verify(), that `hash` is not an argon2 hash string.
  // Jobs still queued when the hasher is destroyed are finished first.
  bool hash(std::string password, std::function<void(bool ok, std::string hash)> done);
  bool verify(std::string password, std::string hash, std::function<void(bool ok, bool matches)> done);

  // Synchronous versions, for tools and tests.
  static std::string hash_now(const std::string& password);
  static bool verify_now(const std::string& password, const std::string& hash);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::auth
