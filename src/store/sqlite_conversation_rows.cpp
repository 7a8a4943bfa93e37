#include "store/sqlite_conversation_rows.hpp"

#include <unordered_map>

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
             std::string("SELECT ") + entry_columns + " FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = ?"),
      // Emojis in the order of their first use, each one's users in the order they added it.
      reactions_(db.handle(),
                 "SELECT message_id, emoji, user_id FROM message_reactions "
                 "WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, created_at, emoji, user_id"),
      edits_(db.handle(), "SELECT content, created_at FROM messages WHERE target_id = ? AND kind = 'edit' ORDER BY seq") {}

LogEntry read_entry(const sqlite::Statement& s) {
  LogEntry e{s.int64(0), s.int64(1), s.int64(2), entry_kind_from_string(s.text(3)), s.text(4), s.text(5), s.text(6),
             s.text(7), s.int64(8), s.text(9)};
  e.reply_to_id = s.int64(10);
  e.target_id = s.int64(11);
  e.edited_at_ms = s.int64(12);
  e.deleted = s.int64(13) != 0;
  return e;
}

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

std::optional<LogEntry> ConversationRows::entry(std::int64_t message_id) {
  std::optional<LogEntry> entry;
  entry_.bind(1, message_id);
  if (entry_.step()) entry = read_entry(entry_);
  entry_.reset();
  return entry;
}

void ConversationRows::add_reactions(std::vector<LogEntry>& entries) {
  if (entries.empty()) return;
  std::string ids = "[";
  std::unordered_map<std::int64_t, LogEntry*> by_id;
  for (auto& e : entries) {
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(e.id);
    by_id[e.id] = &e;
  }
  ids += ']';
  reactions_.bind(1, ids);
  while (reactions_.step()) {
    auto it = by_id.find(reactions_.int64(0));
    if (it == by_id.end()) continue;
    add_reaction(it->second->reactions, reactions_.text(1), reactions_.text(2));
  }
  reactions_.reset();
}

std::vector<Revision> ConversationRows::earlier_versions(const LogEntry& message) {
  std::vector<Revision> versions;
  edits_.bind(1, message.id);
  std::int64_t written_at = 0;  // the original's
  while (edits_.step()) {
    // An edit entry keeps the text it replaced, which was written at the previous edit.
    versions.push_back(Revision{edits_.text(0), written_at});
    written_at = edits_.int64(1);
  }
  edits_.reset();
  return versions;
}

}  // namespace parley::store
