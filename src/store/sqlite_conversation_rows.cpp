#include "store/sqlite_conversation_rows.hpp"

namespace parley::store {

ConversationRows::ConversationRows(sqlite::Connection& db)
    : conversation_(db.handle(),
                    "SELECT kind, title, created_at, last_seq, last_activity_at, COALESCE(last_message_id, 0), "
                    "COALESCE(direct_key, '') FROM conversations WHERE id = ?"),
      direct_(db.handle(), "SELECT id FROM conversations WHERE direct_key = ?"),
      members_(db.handle(),
               "SELECT cm.user_id, u.name, cm.role, cm.joined_seq, cm.read_seq, cm.delivered_seq "
               "FROM conversation_members cm JOIN users u ON u.id = cm.user_id "
               "WHERE cm.conversation_id = ? ORDER BY cm.joined_seq, cm.user_id"),
      member_(db.handle(),
              "SELECT role, joined_seq, read_seq, delivered_seq FROM conversation_members "
              "WHERE conversation_id = ? AND user_id = ?"),
      entry_(db.handle(),
             "SELECT m.id, m.conversation_id, m.seq, m.kind, m.sender_id, u.name, m.content, COALESCE(m.system, ''), "
             "m.created_at, COALESCE(m.client_message_id, ''), m.deleted_at IS NOT NULL "
             "FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = ?") {}

std::optional<ConversationRow> ConversationRows::conversation(std::int64_t id) {
  std::optional<ConversationRow> row;
  conversation_.bind(1, id);
  if (conversation_.step()) {
    row.emplace();
    row->state.id = id;
    row->state.kind = conversation_.text(0) == "group" ? ConversationKind::group : ConversationKind::direct;
    if (!conversation_.is_null(1)) row->state.title = conversation_.text(1);
    row->state.created_at_ms = conversation_.int64(2);
    row->state.last_seq = conversation_.int64(3);
    row->last_activity_ms = conversation_.int64(4);
    row->last_message_id = conversation_.int64(5);
    row->direct_key = conversation_.text(6);
  }
  conversation_.reset();
  return row;
}

std::optional<std::int64_t> ConversationRows::direct_conversation(const std::string& key) {
  std::optional<std::int64_t> id;
  direct_.bind(1, key);
  if (direct_.step()) id = direct_.int64(0);
  direct_.reset();
  return id;
}

std::vector<Member> ConversationRows::members(std::int64_t conversation_id) {
  std::vector<Member> members;
  members_.bind(1, conversation_id);
  while (members_.step()) {
    members.push_back(Member{members_.text(0), members_.text(1), role_from_string(members_.text(2)).value_or(Role::member),
                             members_.int64(3), members_.int64(4), members_.int64(5)});
  }
  members_.reset();
  return members;
}

std::optional<Member> ConversationRows::member(std::int64_t conversation_id, const std::string& user_id) {
  std::optional<Member> member;
  member_.bind(1, conversation_id).bind(2, user_id);
  if (member_.step()) {
    member = Member{user_id, {}, role_from_string(member_.text(0)).value_or(Role::member), member_.int64(1),
                    member_.int64(2), member_.int64(3)};
  }
  member_.reset();
  return member;
}

std::optional<ConversationState> ConversationRows::state(std::int64_t id) {
  auto row = conversation(id);
  if (!row) return std::nullopt;
  row->state.members = members(id);
  return std::move(row->state);
}

std::optional<LogEntry> ConversationRows::entry(std::int64_t message_id, bool* deleted) {
  std::optional<LogEntry> entry;
  entry_.bind(1, message_id);
  if (entry_.step()) {
    entry = LogEntry{entry_.int64(0), entry_.int64(1), entry_.int64(2),
                     entry_.text(3) == "system" ? EntryKind::system : EntryKind::text,
                     entry_.text(4), entry_.text(5), entry_.text(6), entry_.text(7), entry_.int64(8), entry_.text(9)};
    if (deleted) *deleted = entry_.int64(10) != 0;
  }
  entry_.reset();
  return entry;
}

}  // namespace parley::store
