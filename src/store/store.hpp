// The chat's storage, seen from the chat service: users, conversations and messages. Every
// call is asynchronous; its callback runs on a store thread or where the store's
// CompletionRunner puts it (post back to your loop). Message
// appends are group-committed: a callback reporting success means the message is durable (what
// each outcome of a write means: see Failure).
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

#include "store/conversations.hpp"

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

// A message in the seed's `receive_message` shape, as chat/message_json encodes it.
struct Message {
  std::int64_t id = 0;
  std::int64_t conversation_id = 0;
  std::string sender_id;
  std::string sender_name;
  std::string content;
  std::int64_t created_at_ms = 0;
  std::string client_message_id{};  // the sender's idempotency key; empty: none
};

// Why a call failed: the database is unreachable or refused the write, or the request itself
// was wrong. Never a partial write.
//
// What the caller of a write (append, create_user, ensure_user, ...) may conclude from its
// answer, on either store:
//   - success: the write is durable (committed), and the answer is what was stored (for an
//     append: the entry with its id and seq). Never sent for a write that was not committed.
//   - a Failure with outcome_unknown false: nothing of the write was stored. Retrying it is safe.
//   - a Failure with outcome_unknown true: the write may or may not be stored. The connection to
//     the database was lost after the commit was sent and before its answer came, and the store
//     could not learn what became of it (the database stayed unreachable past the store's
//     budget for asking, about 5 s). Do not tell the client that it failed, nor that it
//     succeeded. The same append sent again with the same client_message_id settles it: the
//     answer is a new entry (the first was not stored) or already_stored with the first one
//     (it was stored; after an unknown outcome that also means nobody has had it delivered
//     live yet). Without a client key an append cannot be settled; create_user again with the
//     same user answers id_taken if the first one was stored; ensure_user is idempotent anyway.
// Only the PostgreSQL store sets outcome_unknown, and only then: when a commit's answer is lost
// and the database can be asked again within the budget, the store asks it (pg_xact_status of
// the batch's transaction) and answers success or a plain failure, as it was. The SQLite store
// never sets it: its commit is a local call that returns its answer, with no connection to
// lose in between, so its outcome is never ambiguous.
struct Failure {
  std::string message;
  // The request's own fault, not the database's: `message` is meant for the client.
  bool client_error = false;
  // Whether the write was stored is unknown (see above): retry it with the same client key.
  bool outcome_unknown = false;
  // Set when the store refused a conversation request by its rules (membership, roles, limits,
  // unknown users): client_error is then true and `message` says why.
  std::optional<Refusal> refusal{};
};

inline Failure refused(Refusal why, std::string message) { return Failure{std::move(message), true, false, why}; }

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

// What the database keeps of a user's presence (who is online is in memory, chat/presence).
struct PresenceRecord {
  std::string user_id;
  std::int64_t last_seen_at_ms = 0;  // when its last socket closed (0: never)
  bool appear_offline = false;       // the user's own setting: others see it offline
};

// A change of a user's presence record: each field when set.
struct PresenceUpdate {
  std::string user_id;
  std::optional<std::int64_t> last_seen_at_ms;
  std::optional<bool> appear_offline;
};

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

  // --- Conversations (store/conversations.hpp). Every write below is one transaction, committed
  // (and durable) before its callback reports success; what a Failure means: see Failure. A
  // request by a user who is not a current member of the conversation (or about one that does
  // not exist) fails with Refusal::forbidden.

  // Appends a text entry with the conversation's next seq; the sender must be a member.
  virtual void append(NewEntry entry, std::function<void(Result<Appended>)> done) = 0;
  // The newest `limit` entries the viewer may see before `before_seq`, oldest first.
  virtual void read_log(LogRequest request, std::function<void(Result<LogPage>)> done) = 0;
  // A group with its `created` entry at seq 1.
  virtual void create_group(NewGroup group, std::function<void(Result<Changed>)> done) = 0;
  // Locks the conversation, asks `decide` (chat/conversation_rules) what to change given its
  // current state, and applies that with its system entry (the next seq), or fails with the
  // Refusal it answered. A direct conversation's state is given too: the rules refuse.
  virtual void change_conversation(std::int64_t conversation_id, DecideChange decide,
                                   std::function<void(Result<Changed>)> done) = 0;
  // The conversation as `viewer_id` sees it (forbidden unless a member).
  virtual void get_conversation(std::int64_t conversation_id, std::string viewer_id,
                                std::function<void(Result<ConversationView>)> done) = 0;
  // The user's conversations, most recent activity first (then by id, descending).
  virtual void list_conversations(ListRequest request, std::function<void(Result<ConversationPage>)> done) = 0;
  // A page of what a client that was away missed (SyncRequest); reads only.
  virtual void sync(SyncRequest request, std::function<void(Result<SyncPage>)> done) = 0;
  // The conversation's current state with its members' markers (nullopt: no such conversation).
  virtual void get_state(std::int64_t conversation_id, std::function<void(Result<std::optional<ConversationState>>)> done) = 0;
  // Moves a read or delivery watermark forward (never back; reading implies delivered).
  virtual void mark(MarkRequest request, std::function<void(Result<Marked>)> done) = 0;
  // Edits, deletes or reacts to a message: locks its conversation, asks `decide` (chat/message_rules)
  // given the message and its conversation, and applies the change with its entry (the next seq)
  // in one transaction. A deletion erases the content, every earlier version and the reactions.
  // A message id that does not exist (or names no message) fails with Refusal::not_found.
  virtual void change_message(MessageChange change, DecideMessageChange decide,
                              std::function<void(Result<MessageChanged>)> done) = 0;
  // A message and its versions, for a member who may see it (else forbidden; unknown: not_found).
  virtual void message_history(std::int64_t message_id, std::string viewer_id,
                               std::function<void(Result<MessageHistory>)> done) = 0;

  // --- Presence. The records of those of `user_ids` who exist and share a conversation with
  // `viewer_id` (or are the viewer), in no particular order.
  virtual void presence_of(std::string viewer_id, std::vector<std::string> user_ids,
                           std::function<void(Result<std::vector<PresenceRecord>>)> done) = 0;
  virtual void update_presence(PresenceUpdate update, std::function<void(Result<bool>)> done) = 0;
  // The users who share a conversation with `user_id` (not itself): who hears of its presence.
  virtual void contacts(std::string user_id, std::function<void(Result<std::vector<std::string>>)> done) = 0;
  // Every user who chose to appear offline (read once at start).
  virtual void appearing_offline(std::function<void(Result<std::vector<std::string>>)> done) = 0;

  // Whether the database answers now (for /readyz).
  virtual void check_ready(std::function<void(bool)> done) = 0;
  // Finishes the queued work, then stops the store's threads.
  virtual void close() = 0;
  virtual std::string describe() const = 0;  // "sqlite:/path/parley.db"
};

}  // namespace parley::store
