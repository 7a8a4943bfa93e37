#include "store/postgres_conversation_rows.hpp"

namespace parley::store::pg_rows {

namespace {

constexpr char conversation_columns[] = "SELECT id, kind, title, created_at, last_seq FROM conversations ";
constexpr char member_columns[] =
    "SELECT cm.user_id, u.name, cm.role, cm.joined_seq, cm.read_seq, cm.delivered_seq "
    "FROM conversation_members cm JOIN users u ON u.id = cm.user_id WHERE cm.conversation_id = $1 "
    "ORDER BY cm.joined_seq, cm.user_id";

std::optional<ConversationState> with_members(pg::Connection& db, const pg::Result& row, bool for_update,
                                              pg::Clock::time_point deadline) {
  if (row.rows() == 0) return std::nullopt;
  ConversationState state;
  state.id = row.int64(0, 0);
  state.kind = row.text(0, 1) == "group" ? ConversationKind::group : ConversationKind::direct;
  if (!row.is_null(0, 2)) state.title = row.text(0, 2);
  state.created_at_ms = row.int64(0, 3);
  state.last_seq = row.int64(0, 4);
  auto members = db.exec(std::string(member_columns) + (for_update ? " FOR UPDATE OF cm" : ""),
                         pg::Params().int64(state.id), deadline);
  for (int i = 0; i < members.rows(); ++i) {
    state.members.push_back(Member{members.text(i, 0), members.text(i, 1),
                                   role_from_string(members.text(i, 2)).value_or(Role::member), members.int64(i, 3),
                                   members.int64(i, 4), members.int64(i, 5)});
  }
  return state;
}

}  // namespace

LogEntry read_entry(const pg::Result& r, int row, int c) {
  LogEntry e;
  e.id = r.int64(row, c + 0);
  e.conversation_id = r.int64(row, c + 1);
  e.seq = r.int64(row, c + 2);
  e.kind = r.text(row, c + 3) == "system" ? EntryKind::system : EntryKind::text;
  e.sender_id = r.text(row, c + 4);
  e.sender_name = r.text(row, c + 5);
  e.content = r.text(row, c + 6);
  e.system_json = r.text(row, c + 7);
  e.created_at_ms = r.int64(row, c + 8);
  e.client_message_id = r.text(row, c + 9);
  return e;
}

std::optional<ConversationState> load_state_by_id(pg::Connection& db, std::int64_t id, bool for_update,
                                                  pg::Clock::time_point deadline) {
  auto row = db.exec(std::string(conversation_columns) + "WHERE id = $1" + (for_update ? " FOR UPDATE" : ""),
                     pg::Params().int64(id), deadline);
  return with_members(db, row, for_update, deadline);
}

std::optional<ConversationState> load_state_by_key(pg::Connection& db, const std::string& direct_key,
                                                   pg::Clock::time_point deadline) {
  auto row = db.exec(std::string(conversation_columns) + "WHERE direct_key = $1", pg::Params().text(direct_key), deadline);
  return with_members(db, row, false, deadline);
}

}  // namespace parley::store::pg_rows
