#include "store/postgres_conversation_rows.hpp"

#include <unordered_map>

namespace parley::store::pg_rows {

namespace {

const std::string conversation_columns = "SELECT id, kind, title, created_at, last_seq FROM conversations ";
const std::string member_columns =
    "SELECT cm.user_id, u.name, cm.role, cm.joined_seq, cm.read_seq, cm.delivered_seq "
    "FROM conversation_members cm JOIN users u ON u.id = cm.user_id WHERE cm.conversation_id = $1 "
    "ORDER BY cm.joined_seq, cm.user_id";

const pg::Statement conversation_by_id{"conversation_by_id", conversation_columns + "WHERE id = $1", {pg::int8_type}};
const pg::Statement conversation_by_id_locked{
    "conversation_by_id_locked", conversation_columns + "WHERE id = $1 FOR UPDATE", {pg::int8_type}};
const pg::Statement conversation_by_key{
    "conversation_by_key", conversation_columns + "WHERE direct_key = $1", {pg::text_type}};
const pg::Statement members_of{"members_of", member_columns, {pg::int8_type}};
const pg::Statement members_of_locked{"members_of_locked", member_columns + " FOR UPDATE OF cm", {pg::int8_type}};
const pg::Statement reactions_of{
    "reactions_of",
    "SELECT message_id, emoji, user_id FROM message_reactions WHERE message_id = ANY($1::text::int8[]) "
    "ORDER BY message_id, created_at, emoji, user_id",
    {pg::text_type}};
const pg::Statement entry_of{
    "entry_of", std::string("SELECT ") + entry_columns + " FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = $1",
    {pg::int8_type}};
const pg::Statement edits_of{
    "edits_of", "SELECT content, created_at FROM messages WHERE target_id = $1 AND kind = 'edit' ORDER BY seq",
    {pg::int8_type}};
const pg::Statement* const statements[] = {&conversation_by_id, &conversation_by_id_locked, &conversation_by_key,
                                           &members_of, &members_of_locked, &reactions_of, &entry_of, &edits_of};

std::optional<ConversationState> with_members(pg::Connection& db, const pg::Result& row, bool for_update,
                                              pg::Clock::time_point deadline) {
  if (row.rows() == 0) return std::nullopt;
  ConversationState state;
  state.id = row.int64(0, 0);
  state.kind = row.text(0, 1) == "group" ? ConversationKind::group : ConversationKind::direct;
  if (!row.is_null(0, 2)) state.title = row.text(0, 2);
  state.created_at_ms = row.int64(0, 3);
  state.last_seq = row.int64(0, 4);
  auto members = db.exec(for_update ? members_of_locked : members_of, pg::Params().int64(state.id), deadline);
  for (int i = 0; i < members.rows(); ++i) {
    state.members.push_back(Member{members.text(i, 0), members.text(i, 1),
                                   role_from_string(members.text(i, 2)).value_or(Role::member), members.int64(i, 3),
                                   members.int64(i, 4), members.int64(i, 5)});
  }
  return state;
}

}  // namespace

std::span<const pg::Statement* const> state_statements() { return statements; }

LogEntry read_entry(const pg::Result& r, int row, int c) {
  LogEntry e;
  e.id = r.int64(row, c + 0);
  e.conversation_id = r.int64(row, c + 1);
  e.seq = r.int64(row, c + 2);
  e.kind = entry_kind_from_string(r.text(row, c + 3));
  e.sender_id = r.text(row, c + 4);
  e.sender_name = r.text(row, c + 5);
  e.content = r.text(row, c + 6);
  e.system_json = r.text(row, c + 7);
  e.created_at_ms = r.int64(row, c + 8);
  e.client_message_id = r.text(row, c + 9);
  e.reply_to_id = r.int64(row, c + 10);
  e.target_id = r.int64(row, c + 11);
  e.edited_at_ms = r.int64(row, c + 12);
  e.deleted = r.int64(row, c + 13) != 0;
  return e;
}

void add_reactions(pg::Connection& db, std::vector<LogEntry*> entries, pg::Clock::time_point deadline) {
  std::erase(entries, nullptr);
  if (entries.empty()) return;
  std::vector<std::int64_t> ids;
  std::unordered_map<std::int64_t, LogEntry*> by_id;
  for (auto* e : entries) {
    ids.push_back(e->id);
    by_id.emplace(e->id, e);
  }
  auto rows = db.exec(reactions_of, pg::Params().text(pg::int8_array_literal(ids)), deadline);
  for (int i = 0; i < rows.rows(); ++i) {
    if (auto it = by_id.find(rows.int64(i, 0)); it != by_id.end()) {
      add_reaction(it->second->reactions, rows.text(i, 1), rows.text(i, 2));
    }
  }
}

std::optional<LogEntry> entry_by_id(pg::Connection& db, std::int64_t id, pg::Clock::time_point deadline) {
  auto rows = db.exec(entry_of, pg::Params().int64(id), deadline);
  if (rows.rows() == 0) return std::nullopt;
  return read_entry(rows, 0);
}

std::vector<Revision> earlier_versions(pg::Connection& db, std::int64_t message_id, pg::Clock::time_point deadline) {
  auto rows = db.exec(edits_of, pg::Params().int64(message_id), deadline);
  std::vector<Revision> versions;
  std::int64_t written_at = 0;  // the original's
  for (int i = 0; i < rows.rows(); ++i) {
    versions.push_back(Revision{rows.text(i, 0), written_at});
    written_at = rows.int64(i, 1);
  }
  return versions;
}

std::optional<ConversationState> load_state_by_id(pg::Connection& db, std::int64_t id, bool for_update,
                                                  pg::Clock::time_point deadline) {
  auto row = db.exec(for_update ? conversation_by_id_locked : conversation_by_id, pg::Params().int64(id), deadline);
  return with_members(db, row, for_update, deadline);
}

std::optional<ConversationState> load_state_by_key(pg::Connection& db, const std::string& direct_key,
                                                   pg::Clock::time_point deadline) {
  auto row = db.exec(conversation_by_key, pg::Params().text(direct_key), deadline);
  return with_members(db, row, false, deadline);
}

}  // namespace parley::store::pg_rows
