// How the PostgreSQL store reads conversations, members and log entries out of rows, and the
// reads of a conversation's state that its readers and its rule-driven writes share.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/conversations.hpp"
#include "store/pg_connection.hpp"

namespace parley::store::pg_rows {

// The columns read_entry reads, from `m` (messages) and `u` (its sender in users).
inline constexpr char entry_columns[] =
    "m.id, m.conversation_id, m.seq, m.kind, m.sender_id, u.name, m.content, COALESCE(m.system, ''), m.created_at, "
    "COALESCE(m.client_message_id, ''), COALESCE(m.reply_to_id, 0), COALESCE(m.target_id, 0), COALESCE(m.edited_at, 0), "
    "CASE WHEN m.deleted_at IS NULL THEN 0 ELSE 1 END";
LogEntry read_entry(const pg::Result& rows, int row, int first_column = 0);

// Fills the entries' reactions (one statement for them all), emojis in the order of their first
// use, each one's users in the order they added it.
void add_reactions(pg::Connection& db, std::vector<LogEntry*> entries, pg::Clock::time_point deadline);
// A message by id (any kind of entry), without its reactions; nullopt: none.
std::optional<LogEntry> entry_by_id(pg::Connection& db, std::int64_t id, pg::Clock::time_point deadline);
// The versions of a message's text before its current one, oldest first (from its edit entries,
// each keeping the text it replaced).
std::vector<Revision> earlier_versions(pg::Connection& db, std::int64_t message_id, pg::Clock::time_point deadline);

// What load_state_* run: prepare them on every connection that calls those.
std::span<const pg::Statement* const> state_statements();

// A conversation's row and its members (with their names), as of this statement; `for_update`
// locks both (in a transaction). nullopt: no such conversation.
std::optional<ConversationState> load_state_by_id(pg::Connection& db, std::int64_t id, bool for_update,
                                                  pg::Clock::time_point deadline);
std::optional<ConversationState> load_state_by_key(pg::Connection& db, const std::string& direct_key,
                                                   pg::Clock::time_point deadline);

}  // namespace parley::store::pg_rows
