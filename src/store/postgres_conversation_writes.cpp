#include "store/postgres_conversation_writes.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "store/pg_group_commit.hpp"
#include "store/postgres_conversation_rows.hpp"

namespace parley::store {

using pg::int8_type;
using pg::text_type;

const pg::Statement lock_conversations{
    "lock_conversations", "SELECT id FROM conversations WHERE id = ANY($1::text::int8[]) ORDER BY id FOR UPDATE",
    {text_type}};

namespace {

// An append's one statement. `target` is the conversation ($1: its id, or a direct pair's key).
// With a client key ($5) already used by the sender, nothing is written and the earlier row is
// answered (already 1), so a retry never takes a seq. The conversation's row is updated only
// when the sender is a member: a non-member's append takes no seq and answers no row.
// Columns: id, conversation_id, seq, content, created_at, already (0/1), the sender's name, and
// the conversation the append was for (to tell a retry from a key used for another one).
// A reply ($6, 0 for none) must answer a message of the same conversation, not deleted, that the
// sender ($2) may see (from the seq at which it joined).
std::string reply_allowed(const std::string& conversation) {
  return "EXISTS (SELECT 1 FROM messages r JOIN conversation_members rm ON rm.conversation_id = r.conversation_id "
         "AND rm.user_id = $2 WHERE r.id = $6 AND r.conversation_id = " + conversation +
         " AND r.kind IN ('text', 'system') AND r.deleted_at IS NULL AND r.seq >= rm.joined_seq)";
}

std::string append_sql(const std::string& target) {
  // The conversation meant: by id, $1 itself (no lookup on the hot path).
  std::string meant = target == "id" ? std::string("$1::int8") : "(SELECT id FROM conversations WHERE " + target + " = $1)";
  return "WITH existing AS (SELECT id, conversation_id, seq, content, created_at FROM messages "
         "WHERE sender_id = $2 AND client_message_id = NULLIF($5, '')), "
         "bumped AS (UPDATE conversations c SET last_seq = c.last_seq + 1, last_activity_at = $4, "
         "last_message_id = nextval('messages_id_seq') "
         "WHERE c." + target + " = $1 "
         "AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = c.id AND user_id = $2) "
         "AND ($6 = 0 OR " + reply_allowed("c.id") + ") "
         "AND NOT EXISTS (SELECT 1 FROM existing) RETURNING c.id, c.last_seq, c.last_message_id), "
         "inserted AS (INSERT INTO messages (id, conversation_id, seq, sender_id, content, created_at, client_message_id, "
         "reply_to_id) SELECT last_message_id, id, last_seq, $2, $3, $4, NULLIF($5, ''), NULLIF($6, 0) FROM bumped "
         "RETURNING id, conversation_id, seq, content, created_at) "
         "SELECT id, conversation_id, seq, content, created_at, 0, (SELECT name FROM users WHERE id = $2), " +
         meant + " FROM inserted UNION ALL "
         "SELECT id, conversation_id, seq, content, created_at, 1, (SELECT name FROM users WHERE id = $2), " +
         meant + " FROM existing";
}

const pg::Statement append_by_id{
    "append_by_id", append_sql("id"), {int8_type, text_type, text_type, int8_type, text_type, int8_type}};
const pg::Statement append_by_key{
    "append_by_key", append_sql("direct_key"), {text_type, text_type, text_type, int8_type, text_type, int8_type}};
// The conversation in which a reply's message ($2) may be answered by the sender ($1), if any: why
// an append with a reply stored nothing (the reply, or the sender's membership).
const pg::Statement reply_check{
    "reply_check",
    "SELECT r.conversation_id, COALESCE(c.direct_key, '') FROM messages r JOIN conversations c ON c.id = r.conversation_id "
    "JOIN conversation_members rm ON rm.conversation_id = r.conversation_id AND rm.user_id = $1 "
    "WHERE r.id = $2 AND r.kind IN ('text', 'system') AND r.deleted_at IS NULL AND r.seq >= rm.joined_seq",
    {text_type, int8_type}};
// A pair's first message: the statements find the conversation by its key in SQL, since in a
// pipeline the client cannot pass one statement's result to the next.
const pg::Statement insert_direct{
    "insert_direct",
    "INSERT INTO conversations (kind, direct_key, created_at, last_activity_at) VALUES ('direct', $1, $2, $2) "
    "ON CONFLICT (direct_key) DO NOTHING RETURNING id",
    {text_type, int8_type}};
const pg::Statement insert_direct_members{
    "insert_direct_members",
    "INSERT INTO conversation_members (conversation_id, user_id, joined_at, joined_seq) "
    "SELECT c.id, m.user_id, $4, 1 FROM conversations c CROSS JOIN (VALUES ($2), ($3)) AS m (user_id) "
    "WHERE c.direct_key = $1 ON CONFLICT DO NOTHING",
    {text_type, text_type, text_type, int8_type}};
const pg::Statement member_ids{
    "member_ids", "SELECT user_id FROM conversation_members WHERE conversation_id = $1 ORDER BY joined_seq, user_id",
    {int8_type}};

// Markers: clamped to the conversation's last seq, and only ever forward.
const pg::Statement mark_read{
    "mark_read",
    "UPDATE conversation_members m SET read_seq = t.s, delivered_seq = GREATEST(m.delivered_seq, t.s) "
    "FROM (SELECT LEAST($3, last_seq) AS s FROM conversations WHERE id = $1) t "
    "WHERE m.conversation_id = $1 AND m.user_id = $2 AND m.read_seq < t.s RETURNING m.read_seq",
    {int8_type, text_type, int8_type}};
const pg::Statement mark_delivered{
    "mark_delivered",
    "UPDATE conversation_members m SET delivered_seq = t.s "
    "FROM (SELECT LEAST($3, last_seq) AS s FROM conversations WHERE id = $1) t "
    "WHERE m.conversation_id = $1 AND m.user_id = $2 AND m.delivered_seq < t.s RETURNING m.delivered_seq",
    {int8_type, text_type, int8_type}};
const pg::Statement marker_state{
    "marker_state",
    "SELECT me.read_seq, me.delivered_seq, (SELECT count(*) FROM messages m WHERE m.conversation_id = $1 "
    "AND m.seq > me.read_seq AND m.sender_id <> $2 AND m.kind = 'text' AND m.deleted_at IS NULL) "
    "FROM conversation_members me WHERE me.conversation_id = $1 AND me.user_id = $2",
    {int8_type, text_type}};

const pg::Statement* const statements[] = {&lock_conversations, &append_by_id,   &append_by_key, &insert_direct,
                                           &insert_direct_members, &member_ids, &mark_read,     &mark_delivered,
                                           &marker_state, &reply_check};

// Every member's unread count (state.members' order), in one statement for the whole group (up
// to 1,000 members).
std::vector<std::int64_t> unread_counts(pg::Connection& db, const ConversationState& state, pg::Clock::time_point deadline) {
  auto rows = db.exec("SELECT cm.user_id, (SELECT count(*) FROM messages x WHERE x.conversation_id = cm.conversation_id "
                      "AND x.seq > cm.read_seq AND x.sender_id <> cm.user_id AND x.kind = 'text' "
                      "AND x.deleted_at IS NULL) FROM conversation_members cm WHERE cm.conversation_id = $1",
                      pg::Params().int64(state.id), deadline);
  std::map<std::string, std::int64_t> counts;
  for (int i = 0; i < rows.rows(); ++i) counts[rows.text(i, 0)] = rows.int64(i, 1);
  std::vector<std::int64_t> ordered;
  for (const auto& m : state.members) ordered.push_back(counts[m.user_id]);
  return ordered;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AppendWrite final : public StoreWrite {
 public:
  AppendWrite(NewEntry entry, ConversationCache& conversations, std::function<void(Result<Appended>)> done)
      : entry_(std::move(entry)), conversations_(conversations), done_(std::move(done)) {
    if (entry_.to.id == 0) key_ = direct_key(entry_.sender_id, entry_.to.direct_with);
  }

  std::int64_t lock_row() const override { return entry_.to.id ? entry_.to.id : conversations_.find(key_); }

  int send(pg::Connection& db) override {
    direct_ = entry_.to.id == 0;
    conversation_ = direct_ ? conversations_.find(key_) : entry_.to.id;
    known_ = conversation_ != 0;
    row_ = -1;
    members_.clear();
    created_ = false;
    if (!known_ && entry_.reply_to_id) {
      // A reply: to a message of the pair's conversation, which must exist then (never created
      // by a refused reply).
      db.send(append_by_key, entry_params(pg::Params().text(key_)));
      append_index_ = 0;
      return 1 + send_reply_check(db, 1);
    }
    if (!known_) {
      db.send(insert_direct, pg::Params().text(key_).int64(entry_.created_at_ms));
      db.send(insert_direct_members, pg::Params()
                                         .text(key_)
                                         .text(entry_.sender_id)
                                         .text(entry_.to.direct_with)
                                         .int64(entry_.created_at_ms));
      db.send(append_by_key, entry_params(pg::Params().text(key_)));
      append_index_ = 2;
      return 3 + send_reply_check(db, 3);
    }
    db.send(append_by_id, entry_params(pg::Params().int64(conversation_)));
    append_index_ = 0;
    if (direct_) return 1 + send_reply_check(db, 1);  // the pair: no need to ask for members
    db.send(member_ids, pg::Params().int64(conversation_));
    return 2 + send_reply_check(db, 2);
  }

  void receive(int index, const pg::Result& result) override {
    if (!known_ && !entry_.reply_to_id && index == 0) created_ = result.rows() > 0;
    if (index == append_index_) {
      if (result.rows() == 0) return;
      row_ = 0;
      entry_row_.id = result.int64(0, 0);
      entry_row_.conversation_id = result.int64(0, 1);
      entry_row_.seq = result.int64(0, 2);
      entry_row_.content = result.text(0, 3);
      entry_row_.created_at_ms = result.int64(0, 4);
      entry_row_.already_stored = result.int64(0, 5) == 1;
      entry_row_.sender_name = result.text(0, 6);
      target_ = result.is_null(0, 7) ? 0 : result.int64(0, 7);
    }
    if (!direct_ && index == append_index_ + 1) {
      for (int i = 0; i < result.rows(); ++i) members_.push_back(result.text(i, 0));
    }
    if (index == reply_check_index_ && result.rows() > 0) {
      reply_ok_ = direct_ ? result.text(0, 1) == key_ : result.int64(0, 0) == entry_.to.id;
    }
  }

  void settle(bool stored) override {
    if (stored && row_ == 0 && direct_ && !known_ && target_) conversations_.remember(key_, target_);
  }

  void complete(const std::optional<Failure>& failure) override {
    if (failure) return done_(*failure);
    if (row_ != 0 && entry_.reply_to_id && !reply_ok_) {
      return done_(refused(Refusal::invalid_argument, std::string(reply_not_in_conversation)));
    }
    if (row_ != 0) return done_(refused(Refusal::forbidden, "not a member of this conversation"));
    LogEntry& e = entry_row_;
    if (e.already_stored && (e.conversation_id != target_ || e.content != entry_.content)) {
      return done_(client_message_id_reused_failure());
    }
    e.kind = EntryKind::text;
    e.sender_id = entry_.sender_id;
    e.client_message_id = entry_.client_message_id;
    e.reply_to_id = entry_.reply_to_id;
    Appended appended{std::move(e), {}, created_ && !entry_row_.already_stored};
    if (direct_) {
      appended.member_ids = {entry_.sender_id};
      if (entry_.to.direct_with != entry_.sender_id) appended.member_ids.push_back(entry_.to.direct_with);
    } else {
      appended.member_ids = std::move(members_);
    }
    done_(std::move(appended));
  }

 private:
  // After the conversation ($1): $2 sender, $3 content, $4 time, $5 the client key ('' for none),
  // $6 the message replied to (0 for none).
  pg::Params& entry_params(pg::Params& params) const {
    return params.text(entry_.sender_id).text(entry_.content).int64(entry_.created_at_ms).text(entry_.client_message_id)
        .int64(entry_.reply_to_id);
  }

  // Sent as statement `index` when the append is a reply: how many statements that adds.
  int send_reply_check(pg::Connection& db, int index) {
    reply_ok_ = false;
    reply_check_index_ = -1;
    if (!entry_.reply_to_id) return 0;
    db.send(reply_check, pg::Params().text(entry_.sender_id).int64(entry_.reply_to_id));
    reply_check_index_ = index;
    return 1;
  }

  NewEntry entry_;
  std::string key_;
  ConversationCache& conversations_;
  std::function<void(Result<Appended>)> done_;
  bool direct_ = false, known_ = false, created_ = false;
  std::int64_t conversation_ = 0;
  int append_index_ = 0;
  int reply_check_index_ = -1;
  bool reply_ok_ = false;
  int row_ = -1;  // 0 once the append answered a row
  LogEntry entry_row_;
  std::int64_t target_ = 0;
  std::vector<std::string> members_;
};

class MarkWrite final : public StoreWrite {
 public:
  MarkWrite(MarkRequest request, std::function<void(Result<Marked>)> done)
      : request_(std::move(request)), done_(std::move(done)) {}

  int send(pg::Connection& db) override {
    found_ = false;
    marked_ = Marked{};
    auto params = pg::Params().int64(request_.conversation_id).text(request_.user_id).int64(request_.seq);
    db.send(request_.marker == Marker::read ? mark_read : mark_delivered, params);
    db.send(marker_state, pg::Params().int64(request_.conversation_id).text(request_.user_id));
    db.send(member_ids, pg::Params().int64(request_.conversation_id));
    return 3;
  }

  void receive(int index, const pg::Result& result) override {
    if (index == 0) marked_.moved = result.rows() > 0;
    if (index == 1 && result.rows() > 0) {
      found_ = true;
      marked_.read_seq = result.int64(0, 0);
      marked_.delivered_seq = result.int64(0, 1);
      marked_.unread_count = result.int64(0, 2);
    }
    if (index == 2) {
      for (int i = 0; i < result.rows(); ++i) marked_.member_ids.push_back(result.text(i, 0));
    }
  }

  void complete(const std::optional<Failure>& failure) override {
    if (failure) return done_(*failure);
    if (!found_) return done_(refused(Refusal::forbidden, "not a member of this conversation"));
    done_(std::move(marked_));
  }

 private:
  MarkRequest request_;
  std::function<void(Result<Marked>)> done_;
  bool found_ = false;
  Marked marked_;
};

// A write that runs alone in its transaction; a refusal it decides is answered whatever the
// transaction's end (nothing was written then).
class TransactionWrite : public StoreWrite, public pg::TransactionJob {
 public:
  explicit TransactionWrite(std::function<void(Result<Changed>)> done) : done_(std::move(done)) {}
  int send(pg::Connection&) override { return 0; }  // never batched
  void receive(int, const pg::Result&) override {}
  pg::TransactionJob* alone() override { return this; }

  void complete(const std::optional<Failure>& failure) override {
    if (refusal_) return done_(refused(refusal_->first, refusal_->second));
    if (failure) return done_(*failure);
    done_(std::move(changed_));
  }

 protected:
  bool refuse(Refusal why, std::string message) {
    refusal_ = std::make_pair(why, std::move(message));
    return false;
  }

  // Refuses unless every user exists.
  bool all_exist(pg::Connection& db, const std::vector<std::string>& ids, pg::Clock::time_point deadline) {
    if (ids.empty()) return true;
    auto rows = db.exec("SELECT id FROM users WHERE id = ANY($1::text::text[])",
                        pg::Params().text(pg::text_array_literal(ids)), deadline);
    std::set<std::string> found;
    for (int i = 0; i < rows.rows(); ++i) found.insert(rows.text(i, 0));
    for (const auto& id : ids) {
      if (!found.count(id)) return refuse(Refusal::not_found, "unknown user: " + id);
    }
    return true;
  }

  // Stores the system entry (its id and seq taken by the caller) and fills changed_.
  void store_entry(pg::Connection& db, std::int64_t id, std::int64_t conversation, std::int64_t seq,
                   const std::string& actor, const std::string& system_json, std::int64_t at,
                   pg::Clock::time_point deadline) {
    db.exec("INSERT INTO messages (id, conversation_id, seq, sender_id, content, created_at, kind, system) "
            "VALUES ($1, $2, $3, $4, '', $5, 'system', $6)",
            pg::Params().int64(id).int64(conversation).int64(seq).text(actor).int64(at).text(system_json), deadline);
    changed_.state = *pg_rows::load_state_by_id(db, conversation, false, deadline);
    LogEntry& e = changed_.entry;
    e.id = id;
    e.conversation_id = conversation;
    e.seq = seq;
    e.kind = EntryKind::system;
    e.sender_id = actor;
    if (const Member* m = changed_.state.member(actor)) e.sender_name = m->name;
    e.system_json = system_json;
    e.created_at_ms = at;
  }

  void add_unread_counts(pg::Connection& db, pg::Clock::time_point deadline) {
    changed_.unread_counts = unread_counts(db, changed_.state, deadline);
  }

  Changed changed_;

 private:
  std::function<void(Result<Changed>)> done_;
  std::optional<std::pair<Refusal, std::string>> refusal_;
};

class CreateGroupWrite final : public TransactionWrite {
 public:
  CreateGroupWrite(NewGroup group, std::function<void(Result<Changed>)> done)
      : TransactionWrite(std::move(done)), group_(std::move(group)) {}

  bool run(pg::Connection& db, pg::Clock::time_point deadline) override {
    std::vector<std::string> ids{group_.creator_id};
    for (const auto& id : group_.member_ids) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    if (ids.size() > group_.max_members) {
      return refuse(Refusal::invalid_argument, "a group has at most " + std::to_string(group_.max_members) + " members");
    }
    if (!all_exist(db, ids, deadline)) return false;
    auto row = db.exec("INSERT INTO conversations (kind, title, created_at, last_seq, last_activity_at, last_message_id) "
                       "VALUES ('group', $1, $2, 1, $2, nextval('messages_id_seq')) RETURNING id, last_message_id",
                       pg::Params().text(group_.title).int64(group_.created_at_ms), deadline);
    std::int64_t conversation = row.int64(0, 0), message = row.int64(0, 1);
    db.exec("INSERT INTO conversation_members (conversation_id, user_id, joined_at, role, joined_seq, read_seq, delivered_seq) "
            "SELECT $1, u, $2, CASE WHEN u = $3 THEN 'owner' ELSE 'member' END, 1, 1, 1 "
            "FROM unnest($4::text::text[]) AS u",
            pg::Params().int64(conversation).int64(group_.created_at_ms).text(group_.creator_id).text(
                pg::text_array_literal(ids)),
            deadline);
    store_entry(db, message, conversation, 1, group_.creator_id, group_.system_json, group_.created_at_ms, deadline);
    changed_.unread_counts.assign(changed_.state.members.size(), 0);  // everyone has read the `created` entry
    return true;
  }

 private:
  NewGroup group_;
};

class ChangeConversationWrite final : public TransactionWrite {
 public:
  ChangeConversationWrite(std::int64_t conversation, DecideChange decide, std::function<void(Result<Changed>)> done)
      : TransactionWrite(std::move(done)), conversation_(conversation), decide_(std::move(decide)) {}

  bool run(pg::Connection& db, pg::Clock::time_point deadline) override {
    // Locked: concurrent changes and appends (which lock the row too) wait until this commits.
    auto state = pg_rows::load_state_by_id(db, conversation_, true, deadline);
    if (!state) return refuse(Refusal::forbidden, "not a member of this conversation");
    ConversationDecision decision = Refusal::forbidden;
    try {
      decision = decide_(*state);
    } catch (const std::exception& e) {
      throw pg::Error(std::string("change_conversation: ") + e.what(), false);
    }
    if (auto* why = std::get_if<Refusal>(&decision)) return refuse(*why, describe(*why));
    auto& change = std::get<ConversationChange>(decision);
    // What the rules should never ask, refused rather than half applied.
    for (const auto& [user, role] : change.add) {
      if (state->member(user)) return refuse(Refusal::conflict, "already a member: " + user);
    }
    for (const auto& user : change.remove) {
      if (!state->member(user)) return refuse(Refusal::conflict, "not a member: " + user);
    }
    for (const auto& [user, role] : change.roles) {
      bool removed = std::find(change.remove.begin(), change.remove.end(), user) != change.remove.end();
      if (!state->member(user) || removed) return refuse(Refusal::conflict, "not a member: " + user);
    }
    std::vector<std::string> added, added_roles, changed, changed_roles;
    for (auto& [id, role] : change.add) {
      added.push_back(id);
      added_roles.push_back(to_string(role));
    }
    for (auto& [id, role] : change.roles) {
      changed.push_back(id);
      changed_roles.push_back(to_string(role));
    }
    if (!all_exist(db, added, deadline)) return false;
    std::int64_t at = now_ms();
    auto row = db.exec("UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = $2, "
                       "last_message_id = nextval('messages_id_seq'), "
                       "title = CASE WHEN $3 = 1 THEN $4 ELSE title END "
                       "WHERE id = $1 RETURNING last_seq, last_message_id",
                       pg::Params().int64(conversation_).int64(at).int64(change.title ? 1 : 0).text(change.title.value_or("")),
                       deadline);
    std::int64_t seq = row.int64(0, 0), message = row.int64(0, 1);
    if (!change.remove.empty()) {
      db.exec("DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = ANY($2::text::text[])",
              pg::Params().int64(conversation_).text(pg::text_array_literal(change.remove)), deadline);
    }
    if (!added.empty()) {
      db.exec("INSERT INTO conversation_members (conversation_id, user_id, joined_at, role, joined_seq, read_seq, "
              "delivered_seq) SELECT $1, a.user_id, $2, a.role, $3, $3, $3 "
              "FROM unnest($4::text::text[], $5::text::text[]) AS a (user_id, role)",
              pg::Params().int64(conversation_).int64(at).int64(seq).text(pg::text_array_literal(added)).text(
                  pg::text_array_literal(added_roles)),
              deadline);
    }
    if (!changed.empty()) {
      db.exec("UPDATE conversation_members cm SET role = r.role "
              "FROM unnest($2::text::text[], $3::text::text[]) AS r (user_id, role) "
              "WHERE cm.conversation_id = $1 AND cm.user_id = r.user_id",
              pg::Params().int64(conversation_).text(pg::text_array_literal(changed)).text(
                  pg::text_array_literal(changed_roles)),
              deadline);
    }
    store_entry(db, message, conversation_, seq, change.actor_id, change.system_json, at, deadline);
    changed_.removed_ids = change.remove;
    add_unread_counts(db, deadline);
    return true;
  }

 private:
  std::int64_t conversation_;
  DecideChange decide_;
};

// An edit, a deletion or a reaction: alone in its transaction, the conversation locked, its rule
// asked with the message as it is, then the change's entry (the next seq) and its statements.
class MessageChangeWrite final : public StoreWrite, public pg::TransactionJob {
 public:
  MessageChangeWrite(MessageChange change, DecideMessageChange decide, std::function<void(Result<MessageChanged>)> done)
      : change_(std::move(change)), decide_(std::move(decide)), done_(std::move(done)) {}
  int send(pg::Connection&) override { return 0; }  // never batched
  void receive(int, const pg::Result&) override {}
  pg::TransactionJob* alone() override { return this; }

  bool run(pg::Connection& db, pg::Clock::time_point deadline) override {
    changed_ = MessageChanged{};
    refusal_.reset();
    auto found = db.exec("SELECT conversation_id FROM messages WHERE id = $1 AND kind IN ('text', 'system')",
                         pg::Params().int64(change_.message_id), deadline);
    if (found.rows() == 0) return refuse(Refusal::not_found, "message not found");
    std::int64_t conversation = found.int64(0, 0);
    // Locked: concurrent changes and appends to the conversation wait until this commits.
    auto state = pg_rows::load_state_by_id(db, conversation, true, deadline);
    auto message = pg_rows::entry_by_id(db, change_.message_id, deadline);
    if (!state || !message) return refuse(Refusal::not_found, "message not found");
    pg_rows::add_reactions(db, {&*message}, deadline);
    MessageDecision decision = Refusal::forbidden;
    try {
      decision = decide_(MessageFacts{*message, *state});
    } catch (const std::exception& e) {
      throw pg::Error(std::string("change_message: ") + e.what(), false);
    }
    if (auto* why = std::get_if<Refusal>(&decision)) return refuse(*why, describe(*why));
    if (std::get<MessageEffect>(decision) == MessageEffect::unchanged) {
      changed_.message = std::move(*message);
      changed_.state = std::move(*state);
      return true;
    }
    auto kind = change_.action == MessageAction::edit     ? EntryKind::edit
                : change_.action == MessageAction::remove ? EntryKind::deletion
                                                          : EntryKind::reaction;
    // An edit's entry keeps the text it replaces; a reaction's, its emoji (until the deletion).
    std::string kept = kind == EntryKind::edit ? message->content : kind == EntryKind::reaction ? change_.text : "";
    // A change takes a seq but is no activity: the list's order and last message stay.
    auto row = db.exec("UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
                       pg::Params().int64(conversation), deadline);
    std::int64_t seq = row.int64(0, 0);
    auto inserted = db.exec(
        "INSERT INTO messages (conversation_id, seq, sender_id, content, created_at, kind, target_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        pg::Params().int64(conversation).int64(seq).text(change_.actor_id).text(kept).int64(change_.at_ms).text(
            to_string(kind)).int64(message->id),
        deadline);
    apply(db, conversation, deadline);
    LogEntry entry;
    entry.id = inserted.int64(0, 0);
    entry.conversation_id = conversation;
    entry.seq = seq;
    entry.kind = kind;
    entry.sender_id = change_.actor_id;
    if (const Member* m = state->member(change_.actor_id)) entry.sender_name = m->name;
    entry.content = kept;
    entry.created_at_ms = change_.at_ms;
    entry.target_id = message->id;
    changed_.entry = std::move(entry);
    changed_.message = *pg_rows::entry_by_id(db, message->id, deadline);
    pg_rows::add_reactions(db, {&changed_.message}, deadline);
    state->last_seq = seq;
    changed_.state = std::move(*state);
    if (kind == EntryKind::deletion) changed_.unread_counts = unread_counts(db, changed_.state, deadline);
    return true;
  }

  void complete(const std::optional<Failure>& failure) override {
    if (refusal_) return done_(refused(refusal_->first, refusal_->second));
    if (failure) return done_(*failure);
    done_(std::move(changed_));
  }

 private:
  bool refuse(Refusal why, std::string message) {
    refusal_ = std::make_pair(why, std::move(message));
    return false;
  }

  void apply(pg::Connection& db, std::int64_t conversation, pg::Clock::time_point deadline) {
    auto id = change_.message_id;
    switch (change_.action) {
      case MessageAction::edit:
        db.exec("UPDATE messages SET content = $2, edited_at = $3 WHERE id = $1",
                pg::Params().int64(id).text(change_.text).int64(change_.at_ms), deadline);
        break;
      case MessageAction::remove:
        // Erased, not hidden: the text, every earlier version, the reactions (and their entries'
        // emoji); the conversation's last message becomes the newest one left.
        db.exec("UPDATE messages SET content = '', deleted_at = $2, edited_at = NULL, reply_to_id = NULL WHERE id = $1",
                pg::Params().int64(id).int64(change_.at_ms), deadline);
        db.exec("UPDATE messages SET content = '' WHERE target_id = $1 AND kind IN ('edit', 'reaction')",
                pg::Params().int64(id), deadline);
        db.exec("DELETE FROM message_reactions WHERE message_id = $1", pg::Params().int64(id), deadline);
        db.exec("UPDATE conversations SET last_message_id = (SELECT m.id FROM messages m WHERE m.conversation_id = $1 "
                "AND m.kind IN ('text', 'system') AND m.deleted_at IS NULL ORDER BY m.seq DESC LIMIT 1) "
                "WHERE id = $1 AND last_message_id = $2",
                pg::Params().int64(conversation).int64(id), deadline);
        break;
      case MessageAction::add_reaction:
        // created_at orders a message's reactions (emojis by first use): kept strictly increasing
        // per message (its conversation is locked), so that two in one millisecond keep their order.
        db.exec("INSERT INTO message_reactions (message_id, emoji, user_id, created_at) "
                "SELECT $1, $2, $3, GREATEST($4, COALESCE(MAX(created_at) + 1, $4)) FROM message_reactions "
                "WHERE message_id = $1 ON CONFLICT DO NOTHING",
                pg::Params().int64(id).text(change_.text).text(change_.actor_id).int64(change_.at_ms), deadline);
        break;
      case MessageAction::remove_reaction:
        db.exec("DELETE FROM message_reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3",
                pg::Params().int64(id).text(change_.text).text(change_.actor_id), deadline);
        break;
    }
  }

  MessageChange change_;
  DecideMessageChange decide_;
  std::function<void(Result<MessageChanged>)> done_;
  MessageChanged changed_;
  std::optional<std::pair<Refusal, std::string>> refusal_;
};

}  // namespace

std::span<const pg::Statement* const> conversation_writer_statements() { return statements; }

std::unique_ptr<StoreWrite> change_message_write(MessageChange change, DecideMessageChange decide,
                                                 std::function<void(Result<MessageChanged>)> done) {
  return std::make_unique<MessageChangeWrite>(std::move(change), std::move(decide), std::move(done));
}

std::unique_ptr<StoreWrite> append_write(NewEntry entry, ConversationCache& conversations,
                                         std::function<void(Result<Appended>)> done) {
  return std::make_unique<AppendWrite>(std::move(entry), conversations, std::move(done));
}

std::unique_ptr<StoreWrite> mark_write(MarkRequest request, std::function<void(Result<Marked>)> done) {
  return std::make_unique<MarkWrite>(std::move(request), std::move(done));
}

std::unique_ptr<StoreWrite> create_group_write(NewGroup group, std::function<void(Result<Changed>)> done) {
  return std::make_unique<CreateGroupWrite>(std::move(group), std::move(done));
}

std::unique_ptr<StoreWrite> change_conversation_write(std::int64_t conversation_id, DecideChange decide,
                                                      std::function<void(Result<Changed>)> done) {
  return std::make_unique<ChangeConversationWrite>(conversation_id, std::move(decide), std::move(done));
}

}  // namespace parley::store
