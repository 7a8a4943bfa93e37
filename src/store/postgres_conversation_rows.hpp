// How the PostgreSQL store reads conversations, members and log entries out of rows, and the
// reads of a conversation's state that its readers and its rule-driven writes share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/conversations.hpp"
#include "store/pg_connection.hpp"

namespace parley::store::pg_rows {

// The columns read_entry reads, from `m` (messages) and `u` (its sender in users).
inline constexpr char entry_columns[] =
    "m.id, m.conversation_id, m.seq, m.kind, m.sender_id, u.name, m.content, COALESCE(m.system, ''), m.created_at, "
    "COALESCE(m.client_message_id, '')";
inline constexpr int entry_column_count = 10;
LogEntry read_entry(const pg::Result& rows, int row, int first_column = 0);

// A conversation's row and its members (with their names), as of this statement; `for_update`
// locks both (in a transaction). nullopt: no such conversation.
std::optional<ConversationState> load_state_by_id(pg::Connection& db, std::int64_t id, bool for_update,
                                                  pg::Clock::time_point deadline);
std::optional<ConversationState> load_state_by_key(pg::Connection& db, const std::string& direct_key,
                                                   pg::Clock::time_point deadline);

}  // namespace parley::store::pg_rows
