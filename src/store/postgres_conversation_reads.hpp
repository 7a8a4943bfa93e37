// The PostgreSQL store's conversation reads, run on a reader's connection: a conversation's log
// as one member sees it, its state, one member's view of it, and a member's conversation list.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "store/conversations.hpp"
#include "store/pg_connection.hpp"
#include "store/store.hpp"

namespace parley::store::pg_reads {

// What these reads run: prepare them (and pg_rows::state_statements) on every reader.
std::span<const pg::Statement* const> reader_statements();

Result<LogPage> read_log(pg::Connection& db, const LogRequest& request, pg::Clock::time_point deadline);
Result<std::optional<ConversationState>> get_state(pg::Connection& db, std::int64_t id, pg::Clock::time_point deadline);
Result<ConversationView> get_conversation(pg::Connection& db, std::int64_t id, const std::string& viewer,
                                          pg::Clock::time_point deadline);
Result<ConversationPage> list_conversations(pg::Connection& db, const ListRequest& request,
                                            pg::Clock::time_point deadline);
Result<SyncPage> sync(pg::Connection& db, const SyncRequest& request, pg::Clock::time_point deadline);
Result<MessageHistory> message_history(pg::Connection& db, std::int64_t message_id, const std::string& viewer,
                                       pg::Clock::time_point deadline);

}  // namespace parley::store::pg_reads
