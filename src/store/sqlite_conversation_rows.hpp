// What the SQLite store's writer and reader both read about conversations: a conversation's row
// with its members, and log entries by id, on whichever connection (and transaction) they hold.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/conversations.hpp"
#include "store/sqlite.hpp"

namespace parley::store {

inline const char* to_string(ConversationKind kind) { return kind == ConversationKind::group ? "group" : "direct"; }

// The pair's key in conversations.direct_key: the two ids, ordered; written into `out` (whose
// memory a caller on the hot path reuses).
inline void write_direct_key(std::string& out, const std::string& a, const std::string& b) {
  const auto& [low, high] = std::minmax(a, b);
  out.assign(low).append(":").append(high);
}
inline std::string direct_key(const std::string& a, const std::string& b) {
  std::string key;
  write_direct_key(key, a, b);
  return key;
}

// The columns read_entry reads, from `m` (messages) and `u` (its sender in users).
inline constexpr char entry_columns[] =
    "m.id, m.conversation_id, m.seq, m.kind, m.sender_id, u.name, m.content, COALESCE(m.system, ''), m.created_at, "
    "COALESCE(m.client_message_id, ''), COALESCE(m.reply_to_id, 0), COALESCE(m.target_id, 0), COALESCE(m.edited_at, 0), "
    "m.deleted_at IS NOT NULL";
LogEntry read_entry(const sqlite::Statement& row);

// The conversation's columns beside its members.
struct ConversationRow {
  ConversationState state;  // members not filled
  std::int64_t last_activity_ms = 0;
  std::int64_t last_message_id = 0;  // 0: none
  std::string direct_key;
};

class ConversationRows {
 public:
  explicit ConversationRows(sqlite::Connection& db);

  std::optional<ConversationRow> conversation(std::int64_t id);
  std::optional<std::int64_t> direct_conversation(const std::string& direct_key);
  // Current members with names, by joined_seq then user id.
  std::vector<Member> members(std::int64_t conversation_id);
  std::optional<Member> member(std::int64_t conversation_id, const std::string& user_id);  // no name
  // The conversation with its members, or nullopt.
  std::optional<ConversationState> state(std::int64_t id);
  // An entry by id (deleted ones too: LogEntry::deleted says so), without its reactions.
  std::optional<LogEntry> entry(std::int64_t message_id);
  // Fills the entries' reactions (one statement for them all).
  void add_reactions(std::vector<LogEntry>& entries);
  // The versions of a message's text before its current one, from its edit entries, oldest
  // first (what get_message_history lists before the current text).
  std::vector<Revision> earlier_versions(const LogEntry& message);

 private:
  sqlite::Statement conversation_, direct_, members_, member_, entry_, reactions_, edits_;
};

}  // namespace parley::store
