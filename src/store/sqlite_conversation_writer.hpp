// The SQLite store's conversation writes, on the writer's connection inside its batch
// transaction: appends with the conversation's next seq, groups and their changes, read and
// delivery markers.
//
// The writer is the database's only one, so what it keeps in memory stays true: for each
// conversation its last seq (its "tail") and members, in one record that a pair's key also
// leads to (a one-to-one send is one lookup), and user names. Appends change tails in memory
// only: a conversation's row gets its tail from the bulk index (IndexWriter), as its entries are
// indexed, and readers take the newer of the row and RecentMessages (an UPDATE per batch and
// conversation would rewrite a page per message). A job's changes to memory are made last, after
// its statements succeeded, so that a job undone by its savepoint leaves nothing behind; a batch
// rolled back drops everything cached (rare: reloaded on demand), and so does a committed batch
// once the caches outgrow their bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/recent_messages.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_conversation_rows.hpp"
#include "store/store.hpp"

namespace parley::store {

class ConversationWriter {
 public:
  // `max_cached`: conversations (and, separately, user names) kept in memory at most.
  ConversationWriter(sqlite::Connection& db, const RecentMessages& recent, std::size_t max_cached = 100'000);

  void begin_batch();
  void committed();
  void rolled_back();
  // The entries the batch stored, ascending by id: RecentMessages' once committed.
  const std::vector<IndexEntry>& batch_entries() const { return batch_entries_; }

  // Each runs inside a job; a refusal is an answer (nothing written), sqlite::Error is thrown.
  Result<Appended> append(const NewEntry& entry);
  Result<Changed> create_group(const NewGroup& group);
  Result<Changed> change(std::int64_t conversation_id, const DecideChange& decide, std::int64_t now_ms);
  Result<Marked> mark(const MarkRequest& request);
  Result<MessageChanged> change_message(const MessageChange& change, const DecideMessageChange& decide);

 private:
  struct Tail {
    std::int64_t last_seq = 0;
    std::int64_t last_activity_ms = 0;
    std::int64_t last_message_id = 0;
  };
  // One conversation as the writer knows it: committed, plus this batch's successful jobs.
  struct Known {
    std::int64_t id = 0;
    Tail tail;
    std::vector<std::string> members;  // sorted
  };
  struct NewLogEntry {
    std::int64_t conversation_id;
    std::int64_t seq;
    EntryKind kind;
    const std::string& sender_id;
    const std::string& content;
    const std::string& system_json;
    std::int64_t created_at_ms;
    const std::string& client_message_id;
    std::int64_t reply_to_id = 0;
    std::int64_t target_id = 0;  // an edit, deletion or reaction entry's message
  };

  Known* known(std::int64_t conversation_id);  // loaded on first use; nullptr if it does not exist
  Known* direct(const std::string& a, const std::string& b);  // the pair's, or nullptr
  LogEntry insert_entry(const NewLogEntry& e);  // statements only
  void remember_entry(Known& conversation, const LogEntry& e);  // the tail and batch_entries, after success
  std::optional<std::string> user_name(const std::string& user_id);
  std::optional<Result<Appended>> earlier_append(const NewEntry& entry);
  bool may_reply_to(std::int64_t conversation_id, const std::string& sender_id, std::int64_t message_id);
  void apply(const MessageChange& change, const LogEntry& message);  // the change's statements
  std::int64_t unread(std::int64_t conversation_id, const std::string& user_id, std::int64_t read_seq);
  std::vector<std::int64_t> unread_counts(const ConversationState& state);  // state.members' order
  void insert_member(std::int64_t conversation_id, const std::string& user_id, std::int64_t joined_at, Role role,
                     std::int64_t joined_seq, std::int64_t read_seq);

  sqlite::Connection& db_;
  const RecentMessages& recent_;
  ConversationRows rows_;
  sqlite::Statement insert_direct_, insert_group_, insert_member_, insert_text_, insert_system_, find_by_client_id_, load_tail_,
      member_ids_, user_name_, set_markers_, set_title_, delete_member_, set_role_, index_state_,
      unread_, unread_by_member_, insert_change_, set_content_, erase_message_, erase_versions_, erase_reactions_,
      insert_reaction_, delete_reaction_;

  std::size_t max_cached_;
  std::unordered_map<std::int64_t, Known> known_;  // nodes: a Known stays put until cleared
  std::unordered_map<std::string, Known*> direct_;  // by direct_key, into known_
  std::string key_;  // direct()'s scratch (no allocation per send)
  std::unordered_map<std::string, std::string> names_;
  std::vector<IndexEntry> batch_entries_;
};

}  // namespace parley::store
