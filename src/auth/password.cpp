// argon2id through libsodium, on a fixed pool of threads with a bounded queue: a burst of logins
// gets quick refusals rather than a queue that grows without limit while every request waits.
#include "auth/password.hpp"

#include "sio/util/thread_name.hpp"

#include <sodium.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace parley::auth {
namespace {

bool sodium_ready() {
  // sodium_init picks the fastest implementations and seeds the RNG; -1 means it cannot work.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

// libsodium reads a stored hash as a C string of fewer than crypto_pwhash_STRBYTES bytes; a
// longer one or one with an embedded NUL would be silently truncated.
bool fits_c_string(const std::string& hash) {
  return hash.size() < crypto_pwhash_STRBYTES && hash.find('\0') == std::string::npos;
}

// Passwords should not outlive their use in freed heap memory.
void wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
}

}  // namespace

struct PasswordHasher::Impl {
  enum Queue { verifying, hashing };
  std::size_t max_queued = 0;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::function<void()>> jobs[2];  // guarded by mutex
  Queue next = verifying;                     // whose turn it is when both wait; guarded by mutex
  bool stopping = false;                      // guarded by mutex
  std::vector<std::thread> workers;

  bool submit(Queue queue, std::function<void()> job) {
    {
      std::lock_guard lock(mutex);
      if (stopping || jobs[queue].size() >= max_queued) return false;
      jobs[queue].push_back(std::move(job));
    }
    wake.notify_one();
    return true;
  }

  bool idle() const { return jobs[verifying].empty() && jobs[hashing].empty(); }

  // Workers finish the queues before they stop, so every accepted job's callback runs once.
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [this] { return stopping || !idle(); });
        if (idle()) return;
        const Queue from = jobs[next].empty() ? Queue(1 - next) : next;
        next = Queue(1 - from);
        job = std::move(jobs[from].front());
        jobs[from].pop_front();
      }
      job();
    }
  }
};

PasswordHasher::PasswordHasher(std::size_t threads, std::size_t max_queued) : impl_(new Impl) {
  sodium_ready();
  impl_->max_queued = max_queued;
  if (threads == 0) threads = 1;
  impl_->workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    impl_->workers.emplace_back([impl = impl_.get()] {
      sio::util::name_this_thread("password-hash");
      impl->work();
    });
  }
}

PasswordHasher::~PasswordHasher() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  for (auto& worker : impl_->workers) worker.join();
}

bool PasswordHasher::hash(std::string password, std::function<void(bool ok, std::string hash)> done) {
  return impl_->submit(Impl::hashing, [password = std::move(password), done = std::move(done)]() mutable {
    std::string result = hash_now(password);
    wipe(password);
    const bool ok = !result.empty();
    done(ok, std::move(result));
  });
}

bool PasswordHasher::verify(std::string password, std::string hash,
                            std::function<void(bool ok, bool matches)> done) {
  return impl_->submit(Impl::verifying, [password = std::move(password), hash = std::move(hash),
                                          done = std::move(done)]() mutable {
    // needs_rehash is -1 exactly when the stored string is no argon2 hash at all: a broken
    // record, which the caller should not report as a wrong password.
    const bool ok = sodium_ready() && fits_c_string(hash) &&
                    crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) != -1;
    const bool matches = ok && verify_now(password, hash);
    wipe(password);
    done(ok, matches);
  });
}

std::string PasswordHasher::hash_now(const std::string& password) {
  if (!sodium_ready()) return {};
  char out[crypto_pwhash_STRBYTES];
  // Fails only when the memory limit cannot be allocated.
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return {};
  }
  return out;
}

bool PasswordHasher::verify_now(const std::string& password, const std::string& hash) {
  if (!sodium_ready() || !fits_c_string(hash)) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace parley::auth
