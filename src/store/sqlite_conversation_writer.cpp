#include "store/sqlite_conversation_writer.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <exception>
#include <set>

namespace parley::store {

namespace {

Failure not_a_member() { return refused(Refusal::forbidden, "not a member of this conversation"); }

}  // namespace

ConversationWriter::ConversationWriter(sqlite::Connection& db, const RecentMessages& recent, std::size_t max_cached)
    : db_(db),
      recent_(recent),
      rows_(db),
      insert_direct_(db.handle(),
                     "INSERT INTO conversations (kind, direct_key, created_at, last_activity_at) VALUES ('direct', ?1, ?2, ?2)"),
      insert_group_(db.handle(),
                    "INSERT INTO conversations (kind, title, created_at, last_activity_at) VALUES ('group', ?1, ?2, ?2)"),
      insert_member_(db.handle(),
                     "INSERT OR IGNORE INTO conversation_members "
                     "(conversation_id, user_id, joined_at, role, joined_seq, read_seq, delivered_seq) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"),
      // Text entries (the hot path) leave kind and system to their defaults.
      insert_text_(db.handle(),
                   "INSERT INTO messages (conversation_id, sender_id, content, created_at, client_message_id, seq, reply_to_id) "
                   "VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, 0))"),
      insert_system_(db.handle(),
                     "INSERT INTO messages (conversation_id, sender_id, content, created_at, client_message_id, seq, kind, system) "
                     "VALUES (?, ?, ?, ?, ?, ?, 'system', ?)"),
      find_by_client_id_(db.handle(),
                         "SELECT m.id, m.conversation_id, m.content, COALESCE(c.direct_key, '') FROM messages m "
                         "JOIN conversations c ON c.id = m.conversation_id "
                         "WHERE m.sender_id = ? AND m.client_message_id = ?"),
      load_tail_(db.handle(), "SELECT last_seq, last_activity_at, COALESCE(last_message_id, 0) FROM conversations WHERE id = ?"),
      member_ids_(db.handle(), "SELECT user_id FROM conversation_members WHERE conversation_id = ? ORDER BY user_id"),
      user_name_(db.handle(), "SELECT name FROM users WHERE id = ?"),
      set_markers_(db.handle(),
                   "UPDATE conversation_members SET read_seq = ?, delivered_seq = ? WHERE conversation_id = ? AND user_id = ?"),
      set_title_(db.handle(), "UPDATE conversations SET title = ? WHERE id = ?"),
      delete_member_(db.handle(), "DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?"),
      set_role_(db.handle(), "UPDATE conversation_members SET role = ? WHERE conversation_id = ? AND user_id = ?"),
      index_state_(db.handle(), "SELECT indexed_through FROM message_index_state"),
      unread_(db.handle(),
              "SELECT COUNT(*) FROM conversation_messages ci "
              "JOIN messages m ON m.id = ci.message_id "
              "WHERE ci.conversation_id = ?1 AND ci.seq > ?2 AND ci.message_id <= ?3 "
              "AND m.sender_id <> ?4 AND m.kind = 'text' AND m.deleted_at IS NULL"),
      unread_by_member_(db.handle(),
                        "SELECT cm.user_id, (SELECT COUNT(*) FROM conversation_messages ci "
                        "JOIN messages m ON m.id = ci.message_id "
                        "WHERE ci.conversation_id = cm.conversation_id AND ci.seq > cm.read_seq AND ci.message_id <= ?2 "
                        "AND m.sender_id <> cm.user_id AND m.kind = 'text' AND m.deleted_at IS NULL) "
                        "FROM conversation_members cm WHERE cm.conversation_id = ?1"),
      insert_change_(db.handle(),
                     "INSERT INTO messages (conversation_id, sender_id, content, created_at, seq, kind, target_id) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)"),
      set_content_(db.handle(), "UPDATE messages SET content = ?, edited_at = ? WHERE id = ?"),
      erase_message_(db.handle(), "UPDATE messages SET content = '', deleted_at = ?, edited_at = NULL, reply_to_id = NULL WHERE id = ?"),
      erase_versions_(db.handle(), "UPDATE messages SET content = '' WHERE target_id = ? AND kind IN ('edit', 'reaction')"),
      erase_reactions_(db.handle(), "DELETE FROM message_reactions WHERE message_id = ?"),
      insert_reaction_(db.handle(),
                       // created_at orders a message's reactions (emojis by first use): kept strictly
                       // increasing per message, so that two in one millisecond keep their order.
                       "INSERT OR IGNORE INTO message_reactions (message_id, emoji, user_id, created_at) "
                       "SELECT ?1, ?2, ?3, MAX(?4, COALESCE(MAX(created_at) + 1, ?4)) FROM message_reactions "
                       "WHERE message_id = ?1"),
      delete_reaction_(db.handle(), "DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?"),
      max_cached_(max_cached) {}

// --- the batch ------------------------------------------------------------------------------------

void ConversationWriter::begin_batch() { batch_entries_.clear(); }

// Between batches everything cached is committed: the place to keep the caches bounded.
void ConversationWriter::committed() {
  if (known_.size() > max_cached_) {
    direct_.clear();
    known_.clear();
  }
  if (names_.size() > max_cached_) names_.clear();
}

// The lost transaction's changes are in the caches (tails, members, pairs created): drop them
// all; they are reloaded from what was committed, on demand.
void ConversationWriter::rolled_back() {
  batch_entries_.clear();
  direct_.clear();
  known_.clear();
  names_.clear();
}

// --- what the writer knows ------------------------------------------------------------------------

// Read in full before it is cached: a statement that throws leaves nothing behind (the job is
// undone by its savepoint while the batch goes on).
ConversationWriter::Known* ConversationWriter::known(std::int64_t id) {
  if (auto it = known_.find(id); it != known_.end()) return &it->second;
  Known conversation;
  conversation.id = id;
  // The row holds the tail as of the bulk index; the entries above it are in RecentMessages.
  Tail t;
  load_tail_.bind(1, id);
  bool exists = load_tail_.step();
  if (exists) t = Tail{load_tail_.int64(0), load_tail_.int64(1), load_tail_.int64(2)};
  load_tail_.reset();
  if (!exists) return nullptr;  // not cached: ids a client makes up must not fill the cache
  std::int64_t indexed_through = 0;
  if (index_state_.step()) indexed_through = index_state_.int64(0);
  index_state_.reset();
  auto newest = recent_.entries_for(id, indexed_through, recent_.published_through(), LogRange{}, 1);
  if (newest && !newest->empty() && newest->front().seq > t.last_seq) {
    const auto& e = newest->front();
    t = Tail{e.seq, e.created_at_ms, e.message_id};
  }
  conversation.tail = t;
  member_ids_.bind(1, id);
  while (member_ids_.step()) conversation.members.push_back(member_ids_.text(0));
  member_ids_.reset();
  return &known_.emplace(id, std::move(conversation)).first->second;
}

ConversationWriter::Known* ConversationWriter::direct(const std::string& a, const std::string& b) {
  write_direct_key(key_, a, b);
  if (auto it = direct_.find(key_); it != direct_.end()) return it->second;
  auto id = rows_.direct_conversation(key_);
  if (!id) return nullptr;
  Known* conversation = known(*id);
  if (conversation) direct_.emplace(key_, conversation);
  return conversation;
}

std::optional<std::string> ConversationWriter::user_name(const std::string& user_id) {
  if (auto it = names_.find(user_id); it != names_.end()) return it->second;
  std::optional<std::string> name;
  user_name_.bind(1, user_id);
  if (user_name_.step()) name = user_name_.text(0);
  user_name_.reset();
  if (name) names_.emplace(user_id, *name);
  return name;
}

LogEntry ConversationWriter::insert_entry(const NewLogEntry& e) {
  if (!is_message(e.kind)) {
    insert_change_.bind(1, e.conversation_id).bind(2, e.sender_id).bind(3, e.content).bind(4, e.created_at_ms)
        .bind(5, e.seq).bind(6, to_string(e.kind)).bind(7, e.target_id).run();
  } else {
    auto& insert = e.kind == EntryKind::system ? insert_system_ : insert_text_;
    insert.bind(1, e.conversation_id).bind(2, e.sender_id).bind(3, e.content).bind(4, e.created_at_ms);
    if (e.client_message_id.empty()) {
      insert.bind_null(5);
    } else {
      insert.bind(5, e.client_message_id);
    }
    insert.bind(6, e.seq);
    if (e.kind == EntryKind::system) {
      insert.bind(7, e.system_json);
    } else {
      insert.bind(7, e.reply_to_id);
    }
    insert.run();
  }
  LogEntry stored{db_.last_insert_id(), e.conversation_id, e.seq, e.kind, e.sender_id, {}, e.content,
                  e.kind == EntryKind::system ? e.system_json : std::string(), e.created_at_ms, e.client_message_id};
  stored.reply_to_id = e.reply_to_id;
  stored.target_id = e.target_id;
  return stored;
}

// A message is the conversation's activity (the list's order); a change to one (an edit, a
// deletion, a reaction) takes a seq but leaves the activity as it was, so that the entry's
// IndexEntry carries the conversation's activity, not its own time.
void ConversationWriter::remember_entry(Known& conversation, const LogEntry& e) {
  if (is_message(e.kind)) {
    conversation.tail = Tail{e.seq, e.created_at_ms, e.id};
  } else {
    conversation.tail.last_seq = e.seq;
  }
  batch_entries_.push_back(IndexEntry{e.conversation_id, e.id, e.seq, conversation.tail.last_activity_ms});
}

void ConversationWriter::insert_member(std::int64_t conversation_id, const std::string& user_id, std::int64_t joined_at,
                                       Role role, std::int64_t joined_seq, std::int64_t read_seq) {
  insert_member_.bind(1, conversation_id).bind(2, user_id).bind(3, joined_at).bind(4, to_string(role))
      .bind(5, joined_seq).bind(6, read_seq).run();
}

// Others' non-deleted text entries above read_seq: the index up to indexed_through, then the
// published tail above it, then this batch's.
std::int64_t ConversationWriter::unread(std::int64_t id, const std::string& user_id, std::int64_t read_seq) {
  std::int64_t indexed_through = 0;
  if (index_state_.step()) indexed_through = index_state_.int64(0);
  index_state_.reset();
  std::int64_t count = 0;
  unread_.bind(1, id).bind(2, read_seq).bind(3, indexed_through).bind(4, user_id);
  if (unread_.step()) count = unread_.int64(0);
  unread_.reset();
  std::vector<std::int64_t> above;
  if (auto published = recent_.entries_for(id, indexed_through, recent_.published_through(),
                                           LogRange{.from_seq = read_seq + 1}, SIZE_MAX)) {
    for (const auto& e : *published) above.push_back(e.message_id);
  }
  for (const auto& e : batch_entries_) {
    if (e.conversation_id == id && e.seq > read_seq) above.push_back(e.message_id);
  }
  for (auto message_id : above) {
    auto entry = rows_.entry(message_id);
    if (entry && !entry->deleted && entry->kind == EntryKind::text && entry->sender_id != user_id) ++count;
  }
  return count;
}

// unread() for every member at once (a group has up to 1,000): one statement over the index,
// then each entry of the tail above it read once and counted for the members it is unread by.
std::vector<std::int64_t> ConversationWriter::unread_counts(const ConversationState& state) {
  std::int64_t indexed_through = 0;
  if (index_state_.step()) indexed_through = index_state_.int64(0);
  index_state_.reset();
  std::unordered_map<std::string, std::int64_t> counts;
  unread_by_member_.bind(1, state.id).bind(2, indexed_through);
  while (unread_by_member_.step()) counts[unread_by_member_.text(0)] = unread_by_member_.int64(1);
  unread_by_member_.reset();
  std::int64_t lowest = INT64_MAX;
  for (const auto& m : state.members) lowest = std::min(lowest, m.read_seq);
  std::vector<std::int64_t> above;
  if (!state.members.empty()) {
    if (auto published = recent_.entries_for(state.id, indexed_through, recent_.published_through(),
                                             LogRange{.from_seq = lowest + 1}, SIZE_MAX)) {
      for (const auto& e : *published) above.push_back(e.message_id);
    }
    for (const auto& e : batch_entries_) {
      if (e.conversation_id == state.id && e.seq > lowest) above.push_back(e.message_id);
    }
  }
  for (auto message_id : above) {
    auto entry = rows_.entry(message_id);
    if (!entry || entry->deleted || entry->kind != EntryKind::text) continue;
    for (const auto& m : state.members) {
      if (entry->seq > m.read_seq && entry->sender_id != m.user_id) ++counts[m.user_id];
    }
  }
  std::vector<std::int64_t> ordered;
  ordered.reserve(state.members.size());
  for (const auto& m : state.members) ordered.push_back(counts[m.user_id]);
  return ordered;
}

// --- appends --------------------------------------------------------------------------------------

// What the sender's entry stored earlier under the same client key answers, if there is one:
// that entry (already_stored) when the retry is the same message, the key's reuse otherwise.
std::optional<Result<Appended>> ConversationWriter::earlier_append(const NewEntry& entry) {
  auto& find = find_by_client_id_;
  find.bind(1, entry.sender_id).bind(2, entry.client_message_id);
  if (!find.step()) {
    find.reset();
    return std::nullopt;
  }
  std::int64_t id = find.int64(0), conversation = find.int64(1);
  bool same = find.text(2) == entry.content &&
              (entry.to.id ? conversation == entry.to.id : find.text(3) == direct_key(entry.sender_id, entry.to.direct_with));
  find.reset();
  if (!same) return Result<Appended>(client_message_id_reused_failure());
  Appended appended;
  appended.entry = *rows_.entry(id);
  appended.entry.already_stored = true;
  if (const Known* k = known(conversation)) appended.member_ids = k->members;
  return Result<Appended>(std::move(appended));
}

Result<Appended> ConversationWriter::append(const NewEntry& entry) {
  if (!entry.client_message_id.empty()) {
    if (auto earlier = earlier_append(entry)) return std::move(*earlier);
  }
  Known* conversation = nullptr;
  if (entry.to.id) {
    conversation = known(entry.to.id);
    if (!conversation) return not_a_member();
    const auto& members = conversation->members;
    if (!std::binary_search(members.begin(), members.end(), entry.sender_id)) return not_a_member();
  } else {
    conversation = direct(entry.sender_id, entry.to.direct_with);
  }
  bool create = conversation == nullptr;
  if (entry.reply_to_id && (create || !may_reply_to(conversation->id, entry.sender_id, entry.reply_to_id))) {
    return refused(Refusal::invalid_argument, std::string(reply_not_in_conversation));
  }
  auto sender_name = user_name(entry.sender_id);
  if (!sender_name) return refused(Refusal::not_found, "unknown sender");
  if (create && !user_name(entry.to.direct_with)) return refused(Refusal::not_found, "unknown user");
  std::int64_t id = 0;
  std::string key;  // a new pair's
  if (create) {
    key = direct_key(entry.sender_id, entry.to.direct_with);
    insert_direct_.bind(1, key).bind(2, entry.created_at_ms).run();
    id = db_.last_insert_id();
    insert_member(id, entry.sender_id, entry.created_at_ms, Role::member, 1, 0);
    insert_member(id, entry.to.direct_with, entry.created_at_ms, Role::member, 1, 0);
  } else {
    id = conversation->id;
  }
  std::int64_t seq = (create ? 0 : conversation->tail.last_seq) + 1;
  static const std::string none;
  LogEntry stored = insert_entry(NewLogEntry{id, seq, EntryKind::text, entry.sender_id, entry.content, none,
                                             entry.created_at_ms, entry.client_message_id, entry.reply_to_id});
  stored.sender_name = std::move(*sender_name);
  // Everything stored: now what the writer remembers.
  if (create) {
    conversation = &known_[id];
    conversation->id = id;
    conversation->members = {entry.sender_id, entry.to.direct_with};
    std::sort(conversation->members.begin(), conversation->members.end());
    auto& members = conversation->members;
    members.erase(std::unique(members.begin(), members.end()), members.end());
    direct_.emplace(std::move(key), conversation);
  }
  remember_entry(*conversation, stored);
  return Appended{std::move(stored), conversation->members, create};
}

// A reply's message: one of this conversation's messages, not deleted, that the sender may see.
bool ConversationWriter::may_reply_to(std::int64_t conversation_id, const std::string& sender_id, std::int64_t message_id) {
  auto message = rows_.entry(message_id);
  if (!message || message->conversation_id != conversation_id || !is_message(message->kind) || message->deleted) {
    return false;
  }
  auto member = rows_.member(conversation_id, sender_id);
  return member && message->seq >= member->joined_seq;
}

// --- groups ---------------------------------------------------------------------------------------

Result<Changed> ConversationWriter::create_group(const NewGroup& group) {
  std::vector<std::string> others;
  std::set<std::string> seen{group.creator_id};
  for (const auto& id : group.member_ids) {
    if (seen.insert(id).second) others.push_back(id);
  }
  if (others.size() + 1 > group.max_members) {
    return refused(Refusal::invalid_argument, "a group has at most " + std::to_string(group.max_members) + " members");
  }
  auto creator_name = user_name(group.creator_id);
  if (!creator_name) return refused(Refusal::not_found, "unknown user " + group.creator_id);
  for (const auto& id : others) {
    if (!user_name(id)) return refused(Refusal::not_found, "unknown user " + id);
  }
  insert_group_.bind(1, group.title).bind(2, group.created_at_ms).run();
  std::int64_t conversation = db_.last_insert_id();
  static const std::string none;
  LogEntry created = insert_entry(NewLogEntry{conversation, 1, EntryKind::system, group.creator_id, none,
                                              group.system_json, group.created_at_ms, none});
  created.sender_name = *creator_name;
  insert_member(conversation, group.creator_id, group.created_at_ms, Role::owner, 1, 1);
  for (const auto& id : others) insert_member(conversation, id, group.created_at_ms, Role::member, 1, 1);
  auto state = rows_.state(conversation);
  state->last_seq = 1;
  Known& known = known_[conversation];
  known.id = conversation;
  known.members.assign(seen.begin(), seen.end());  // sorted
  remember_entry(known, created);
  std::vector<std::int64_t> unread(state->members.size(), 0);  // everyone has read the `created` entry
  return Changed{std::move(created), std::move(*state), {}, std::move(unread)};
}

Result<Changed> ConversationWriter::change(std::int64_t id, const DecideChange& decide, std::int64_t now_ms) {
  auto state = rows_.state(id);
  if (!state) return not_a_member();
  Known* found = known(id);
  if (!found) return not_a_member();
  Known& known = *found;
  state->last_seq = known.tail.last_seq;
  ConversationDecision decision = Refusal::forbidden;
  try {
    decision = decide(*state);
  } catch (const std::exception& e) {
    return Failure{std::string("change_conversation: ") + e.what()};
  }
  if (auto* why = std::get_if<Refusal>(&decision)) return refused(*why, describe(*why));
  const auto& change = std::get<ConversationChange>(decision);
  for (const auto& [user, role] : change.add) {
    if (!user_name(user)) return refused(Refusal::not_found, "unknown user " + user);
    if (state->member(user)) return refused(Refusal::conflict, "already a member: " + user);
  }
  for (const auto& user : change.remove) {
    if (!state->member(user)) return refused(Refusal::conflict, "not a member: " + user);
  }
  for (const auto& [user, role] : change.roles) {
    bool removed = std::find(change.remove.begin(), change.remove.end(), user) != change.remove.end();
    if (!state->member(user) || removed) return refused(Refusal::conflict, "not a member: " + user);
  }
  auto actor_name = user_name(change.actor_id);
  if (!actor_name) return refused(Refusal::not_found, "unknown user " + change.actor_id);
  std::int64_t seq = known.tail.last_seq + 1;
  if (change.title) set_title_.bind(1, *change.title).bind(2, id).run();
  for (const auto& [user, role] : change.add) insert_member(id, user, now_ms, role, seq, seq);
  for (const auto& user : change.remove) delete_member_.bind(1, id).bind(2, user).run();
  for (const auto& [user, role] : change.roles) set_role_.bind(1, to_string(role)).bind(2, id).bind(3, user).run();
  static const std::string none;
  LogEntry entry = insert_entry(NewLogEntry{id, seq, EntryKind::system, change.actor_id, none, change.system_json,
                                            now_ms, none});
  entry.sender_name = std::move(*actor_name);
  auto after = rows_.state(id);
  after->last_seq = seq;
  auto unread = unread_counts(*after);
  known.members.clear();
  for (const auto& m : after->members) known.members.push_back(m.user_id);
  std::sort(known.members.begin(), known.members.end());
  remember_entry(known, entry);
  return Changed{std::move(entry), std::move(*after), change.remove, std::move(unread)};
}

// --- markers --------------------------------------------------------------------------------------

Result<Marked> ConversationWriter::mark(const MarkRequest& request) {
  auto member = rows_.member(request.conversation_id, request.user_id);
  if (!member) return not_a_member();
  Known* found = known(request.conversation_id);
  if (!found) return not_a_member();
  Known& known = *found;
  std::int64_t seq = std::clamp<std::int64_t>(request.seq, 0, known.tail.last_seq);
  Marked marked;
  marked.read_seq = member->read_seq;
  marked.delivered_seq = member->delivered_seq;
  if (request.marker == Marker::read) {
    marked.moved = seq > member->read_seq;
    marked.read_seq = std::max(member->read_seq, seq);
  } else {
    marked.moved = seq > member->delivered_seq;
  }
  // Reading implies delivered.
  marked.delivered_seq = std::max({member->delivered_seq, marked.read_seq, request.marker == Marker::delivered ? seq : 0});
  if (marked.read_seq != member->read_seq || marked.delivered_seq != member->delivered_seq) {
    set_markers_.bind(1, marked.read_seq).bind(2, marked.delivered_seq).bind(3, request.conversation_id)
        .bind(4, request.user_id).run();
  }
  marked.unread_count = unread(request.conversation_id, request.user_id, marked.read_seq);
  marked.member_ids = known.members;
  return marked;
}

// --- changing messages -----------------------------------------------------------------------------

void ConversationWriter::apply(const MessageChange& change, const LogEntry& message) {
  switch (change.action) {
    case MessageAction::edit: set_content_.bind(1, change.text).bind(2, change.at_ms).bind(3, message.id).run(); break;
    case MessageAction::remove:
      // Erased, not hidden: the text, every earlier version, the reactions (and their entries' emoji).
      erase_message_.bind(1, change.at_ms).bind(2, message.id).run();
      erase_versions_.bind(1, message.id).run();
      erase_reactions_.bind(1, message.id).run();
      break;
    case MessageAction::add_reaction:
      insert_reaction_.bind(1, message.id).bind(2, change.text).bind(3, change.actor_id).bind(4, change.at_ms).run();
      break;
    case MessageAction::remove_reaction:
      delete_reaction_.bind(1, message.id).bind(2, change.text).bind(3, change.actor_id).run();
      break;
  }
}

Result<MessageChanged> ConversationWriter::change_message(const MessageChange& change, const DecideMessageChange& decide) {
  auto message = rows_.entry(change.message_id);
  if (!message || !is_message(message->kind)) return refused(Refusal::not_found, "message not found");
  std::vector<LogEntry> found{std::move(*message)};
  rows_.add_reactions(found);
  Known* known = this->known(found.front().conversation_id);
  auto state = rows_.state(found.front().conversation_id);
  if (!known || !state) return refused(Refusal::not_found, "message not found");
  state->last_seq = known->tail.last_seq;
  MessageDecision decision = Refusal::forbidden;
  try {
    decision = decide(MessageFacts{found.front(), *state});
  } catch (const std::exception& e) {
    return Failure{std::string("change_message: ") + e.what()};
  }
  if (auto* why = std::get_if<Refusal>(&decision)) return refused(*why, describe(*why));
  MessageChanged changed;
  if (std::get<MessageEffect>(decision) == MessageEffect::unchanged) {
    changed.message = std::move(found.front());
    changed.state = std::move(*state);
    return changed;
  }
  const LogEntry& before = found.front();
  auto actor_name = user_name(change.actor_id);
  if (!actor_name) return refused(Refusal::not_found, "unknown user " + change.actor_id);
  EntryKind kind = change.action == MessageAction::edit     ? EntryKind::edit
                   : change.action == MessageAction::remove ? EntryKind::deletion
                                                            : EntryKind::reaction;
  // An edit's entry keeps the text it replaces (the message's earlier version); a reaction's,
  // its emoji (until the message is deleted).
  static const std::string none;
  const std::string& kept = kind == EntryKind::edit ? before.content : kind == EntryKind::reaction ? change.text : none;
  std::int64_t seq = known->tail.last_seq + 1;
  LogEntry entry = insert_entry(NewLogEntry{before.conversation_id, seq, kind, change.actor_id, kept, none, change.at_ms,
                                            none, 0, before.id});
  entry.sender_name = std::move(*actor_name);
  apply(change, before);
  std::vector<LogEntry> after{*rows_.entry(before.id)};
  rows_.add_reactions(after);
  state->last_seq = seq;
  if (kind == EntryKind::deletion) changed.unread_counts = unread_counts(*state);
  remember_entry(*known, entry);  // last: every statement of the job has succeeded
  changed.entry = std::move(entry);
  changed.message = std::move(after.front());
  changed.state = std::move(*state);
  return changed;
}

}  // namespace parley::store
