// The chat's storage, seen from the chat service: users, conversations and messages. Every
// call is asynchronous; its callback runs on a store thread or where the store's
// CompletionRunner puts it (post back to your loop). Message
// appends are group-committed: a callback reporting success means the message is durable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace parley::store {

// How long a store's writer, once busy (its last batch held more than one write), waits for more
// writes to join the next batch before committing it. The costs of a commit (the fsync, the
// pages every transaction rewrites, the wake-ups) are per batch: at 10,000 msgs/s, 500 us cuts
// the server's CPU per message by about a quarter for well under a millisecond of latency. An
// idle writer never waits: a lone message is committed at once.
constexpr std::chrono::microseconds default_commit_delay{500};

// Runs a batch's write callbacks somewhere. By default a store calls them on its writer
// thread; a runner that hands them to another thread (an event loop) lets the writer start on
// the next batch at once: with PostgreSQL the writer otherwise leaves the database idle while
// it answers callers, and the two add up instead of overlapping. The runner must run the
// functions it is given in the order given (callbacks keep commit order).
using CompletionRunner = std::function<void(std::function<void()>)>;

struct WriterOptions {
  std::chrono::microseconds commit_delay = default_commit_delay;
  CompletionRunner run_completions;  // empty: on the writer thread

  // How long to gather the next batch, given the size of the last one (busy: more than one).
  std::chrono::microseconds gather_after(std::size_t last_batch) const {
    return last_batch > 1 ? commit_delay : std::chrono::microseconds::zero();
  }
  // Runs a batch's callbacks with run_completions, or here when there is none.
  void answer(std::function<void()> callbacks) const {
    if (run_completions) {
      run_completions(std::move(callbacks));
    } else {
      callbacks();
    }
  }
};

struct User {
  std::string id;    // a UUID
  std::string name;  // display name
  std::string username;       // empty for users created from another application's tokens
  std::string password_hash;  // argon2id, empty when the user has no password here
  std::int64_t created_at_ms = 0;
};

struct Message {
  std::int64_t id = 0;
  std::int64_t conversation_id = 0;
  std::string sender_id;
  std::string sender_name;
  std::string content;
  std::int64_t created_at_ms = 0;
  std::string client_message_id{};  // the sender's idempotency key; empty: none
  bool already_stored = false;    // append_direct: a retry, answered with the message stored before
};

struct NewMessage {
  std::string sender_id;
  std::string receiver_id;
  std::string content;
  std::int64_t created_at_ms = 0;
  // When not empty, a second append with the same sender and key stores nothing and answers
  // with the first message (already_stored); with other content or another receiver it fails
  // with client_message_id_reused.
  std::string client_message_id{};
};

// Why a call failed: the database is unreachable or refused the write, or the request itself
// was wrong. Never a partial write.
struct Failure {
  std::string message;
  // The request's own fault, not the database's: `message` is meant for the client.
  bool client_error = false;
  // The commit's outcome is not known (the connection broke while committing): the write may
  // or may not be stored. Clients are told to retry (UNAVAILABLE); a keyed retry then finds it.
  bool outcome_unknown = false;
};

// The Failure of an append whose client_message_id names a different message of its sender.
inline constexpr std::string_view client_message_id_reused = "clientMessageId was already used for another message";
inline Failure client_message_id_reused_failure() { return Failure{std::string(client_message_id_reused), true}; }

template <class T>
using Result = std::variant<T, Failure>;

template <class T>
const Failure* failed(const Result<T>& r) {
  return std::get_if<Failure>(&r);
}

enum class CreateUser { created, username_taken, id_taken };

class Store {
 public:
  virtual ~Store() = default;

  virtual void get_user(std::string id, std::function<void(Result<std::optional<User>>)> done) = 0;
  virtual void get_user_by_username(std::string username, std::function<void(Result<std::optional<User>>)> done) = 0;
  virtual void create_user(User user, std::function<void(Result<CreateUser>)> done) = 0;
  // Inserts the user unless one with that id exists; returns the stored user either way.
  virtual void ensure_user(User user, std::function<void(Result<User>)> done) = 0;
  // Users whose name or username contains `text` (case-insensitive), by name, at most `limit`.
  virtual void search_users(std::string text, std::size_t limit, std::function<void(Result<std::vector<User>>)> done) = 0;

  // Stores a direct message (creating the pair's conversation on its first message). The
  // callback fires after the transaction holding it has committed.
  virtual void append_direct(NewMessage message, std::function<void(Result<Message>)> done) = 0;
  // The newest `limit` messages between `a` and `b` with id < `before` (when given), oldest first.
  virtual void direct_history(std::string a, std::string b, std::optional<std::int64_t> before, std::size_t limit,
                              std::function<void(Result<std::vector<Message>>)> done) = 0;

  // Whether the database answers now (for /readyz).
  virtual void check_ready(std::function<void(bool)> done) = 0;
  // Finishes the queued work, then stops the store's threads.
  virtual void close() = 0;
  virtual std::string describe() const = 0;  // "sqlite:/path/parley.db"
};

}  // namespace parley::store
