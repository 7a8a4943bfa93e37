// The PostgreSQL store's conversation writes. Appends and markers are jobs of the group commit
// (one statement each does the work: an append takes its seq with `UPDATE conversations SET
// last_seq = last_seq + 1 ... RETURNING`, after the batch has locked its conversations, and
// checks the sender's membership in that statement). Group creation and rule-driven changes read
// before they write: each runs alone in its own transaction on the writer's connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "store/conversations.hpp"
#include "store/pg_connection.hpp"
#include "store/postgres_writes.hpp"
#include "store/store.hpp"

namespace parley::store {

// The batch's lock statement (pg::run_batch): the conversations its appends write to.
extern const pg::Statement lock_conversations;
// What the writer prepares for these writes.
std::span<const pg::Statement* const> conversation_writer_statements();

std::unique_ptr<StoreWrite> append_write(NewEntry entry, ConversationCache& conversations,
                                         std::function<void(Result<Appended>)> done);
std::unique_ptr<StoreWrite> mark_write(MarkRequest request, std::function<void(Result<Marked>)> done);
std::unique_ptr<StoreWrite> create_group_write(NewGroup group, std::function<void(Result<Changed>)> done);
std::unique_ptr<StoreWrite> change_message_write(MessageChange change, DecideMessageChange decide,
                                                 std::function<void(Result<MessageChanged>)> done);
std::unique_ptr<StoreWrite> change_conversation_write(std::int64_t conversation_id, DecideChange decide,
                                                      std::function<void(Result<Changed>)> done);

}  // namespace parley::store
