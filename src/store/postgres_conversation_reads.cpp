#include "store/postgres_conversation_reads.hpp"

#include <algorithm>
#include <climits>
#include <map>

#include "store/postgres_conversation_rows.hpp"
#include "store/postgres_writes.hpp"
#include "store/sync_rules.hpp"

namespace parley::store::pg_reads {

namespace {

Failure forbidden() { return refused(Refusal::forbidden, "not a member of this conversation"); }

// A member's view of its conversations: the newest first (the member's index by user gives the
// conversations, each found by its key; only the page's rows get their unread count and last
// message). The LATERAL ... OFFSET 0 keeps the plan a loop over the user's memberships: the
// generic plan of a prepared statement otherwise hashes a sequential scan of every conversation
// (36 ms with 40,000 conversations in all, and growing with them), whatever the user's count.
// The page's last messages and their senders are looked up the same way, one key each: joined
// plainly, a plan made on stale statistics (a table filled faster than autovacuum analyses it)
// scanned every message once per row of the page (53 ms instead of 18 for a user with 5,000
// conversations). `filter` narrows the member's conversations (on c, the conversation); $1 is
// the user.
// Columns: id, kind, title, created_at, last_seq, last_activity_at, role, read_seq,
// delivered_seq, unread count, then the last message's entry columns (null: none).
std::string view_sql(const std::string& filter, const std::string& limit) {
  return "SELECT p.id, p.kind, p.title, p.created_at, p.last_seq, p.last_activity_at, p.role, p.read_seq, "
         "p.delivered_seq, (SELECT count(*) FROM messages x WHERE x.conversation_id = p.id AND x.seq > p.read_seq "
         "AND x.sender_id <> $1 AND x.kind = 'text' AND x.deleted_at IS NULL), " +
         std::string(pg_rows::entry_columns) +
         " FROM (SELECT c.id, c.kind, c.title, c.created_at, c.last_seq, c.last_activity_at, c.last_message_id, "
         "me.role, me.read_seq, me.delivered_seq FROM conversation_members me "
         "CROSS JOIN LATERAL (SELECT * FROM conversations c0 WHERE c0.id = me.conversation_id OFFSET 0) c "
         "WHERE me.user_id = $1 AND " + filter +
         " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT " + limit + ") p "
         "LEFT JOIN LATERAL (SELECT * FROM messages m0 WHERE m0.id = p.last_message_id AND m0.deleted_at IS NULL "
         "OFFSET 0) m ON true LEFT JOIN LATERAL (SELECT * FROM users u0 WHERE u0.id = m.sender_id OFFSET 0) u ON true "
         "ORDER BY p.last_activity_at DESC, p.id DESC";
}

using pg::int8_type;
using pg::text_type;

const pg::Statement list_view{
    "list_view", view_sql("(c.last_activity_at, c.id) < ($2, $3)", "$4"), {text_type, int8_type, int8_type, int8_type}};
const pg::Statement one_view{"one_view", view_sql("me.conversation_id = $2", "1"), {text_type, int8_type}};
const pg::Statement page_members{
    "page_members",
    "SELECT cm.conversation_id, cm.user_id, u.name, cm.role, cm.joined_seq, cm.read_seq, cm.delivered_seq "
    "FROM conversation_members cm JOIN users u ON u.id = cm.user_id "
    "WHERE cm.conversation_id = ANY($1::text::int8[]) ORDER BY cm.conversation_id, cm.joined_seq, cm.user_id",
    {text_type}};
const pg::Statement log_entries{
    "log_entries",
    "SELECT " + std::string(pg_rows::entry_columns) +
        " FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.conversation_id = $1 "
        "AND m.seq >= $2 AND m.seq < $3 AND m.kind IN ('text', 'system') ORDER BY m.seq DESC LIMIT $4",
    {int8_type, int8_type, int8_type, int8_type}};
// Catching up: the user's conversations with entries past the client's ($3, $4: the ids and seqs
// it has) and past the member's joining, by id after $2; their views; each one's entries of every
// kind; the messages those changed.
const pg::Statement sync_due{
    "sync_due",
    "SELECT me.conversation_id FROM conversation_members me "
    "CROSS JOIN LATERAL (SELECT c0.last_seq FROM conversations c0 WHERE c0.id = me.conversation_id OFFSET 0) c "
    "LEFT JOIN unnest($3::text::int8[], $4::text::int8[]) AS k(id, seq) ON k.id = me.conversation_id "
    "WHERE me.user_id = $1 AND me.conversation_id > $2 "
    "AND c.last_seq > GREATEST(COALESCE(k.seq, 0), me.joined_seq - 1) ORDER BY me.conversation_id LIMIT $5",
    {text_type, int8_type, text_type, text_type, int8_type}};
const pg::Statement sync_views{
    "sync_views", view_sql("me.conversation_id = ANY($2::text::int8[])", "10000"), {text_type, text_type}};
const pg::Statement sync_member_of{
    "sync_member_of",
    "SELECT conversation_id FROM conversation_members WHERE user_id = $1 AND conversation_id = ANY($2::text::int8[]) "
    "ORDER BY conversation_id",
    {text_type, text_type}};
const pg::Statement sync_entries{
    "sync_entries",
    "SELECT " + std::string(pg_rows::entry_columns) +
        " FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.conversation_id = $1 "
        "AND m.seq >= $2 AND m.seq < $3 ORDER BY m.seq DESC LIMIT $4",
    {int8_type, int8_type, int8_type, int8_type}};
const pg::Statement sync_changed{
    "sync_changed",
    "SELECT " + std::string(pg_rows::entry_columns) +
        " FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = ANY($1::text::int8[])",
    {text_type}};
const pg::Statement* const statements[] = {&list_view, &one_view, &page_members, &log_entries, &sync_due,
                                           &sync_views, &sync_member_of, &sync_entries, &sync_changed};

ConversationView read_view(const pg::Result& r, int row) {
  ConversationView view;
  view.state.id = r.int64(row, 0);
  view.state.kind = r.text(row, 1) == "group" ? ConversationKind::group : ConversationKind::direct;
  if (!r.is_null(row, 2)) view.state.title = r.text(row, 2);
  view.state.created_at_ms = r.int64(row, 3);
  view.state.last_seq = r.int64(row, 4);
  view.last_activity_ms = r.int64(row, 5);
  view.my_role = role_from_string(r.text(row, 6)).value_or(Role::member);
  view.last_read_seq = r.int64(row, 7);
  view.last_delivered_seq = r.int64(row, 8);
  view.unread_count = r.int64(row, 9);
  if (!r.is_null(row, 10)) view.last_message = pg_rows::read_entry(r, row, 10);
  return view;
}

// Fills the views' members, in one query for the whole page, and their last messages' reactions.
void add_members(pg::Connection& db, std::vector<ConversationView>& views, pg::Clock::time_point deadline) {
  if (views.empty()) return;
  std::vector<LogEntry*> last_messages;
  for (auto& v : views) last_messages.push_back(v.last_message ? &*v.last_message : nullptr);
  pg_rows::add_reactions(db, std::move(last_messages), deadline);
  std::vector<std::int64_t> ids;
  std::map<std::int64_t, ConversationView*> by_id;
  for (auto& v : views) {
    ids.push_back(v.state.id);
    by_id[v.state.id] = &v;
  }
  auto rows = db.exec(page_members, pg::Params().text(pg::int8_array_literal(ids)), deadline);
  for (int i = 0; i < rows.rows(); ++i) {
    by_id[rows.int64(i, 0)]->state.members.push_back(
        Member{rows.text(i, 1), rows.text(i, 2), role_from_string(rows.text(i, 3)).value_or(Role::member),
               rows.int64(i, 4), rows.int64(i, 5), rows.int64(i, 6)});
  }
}

}  // namespace

std::span<const pg::Statement* const> reader_statements() { return statements; }

Result<LogPage> read_log(pg::Connection& db, const LogRequest& request, pg::Clock::time_point deadline) {
  bool direct = request.of.id == 0;
  auto state = direct ? pg_rows::load_state_by_key(db, direct_key(request.viewer_id, request.of.direct_with), deadline)
                      : pg_rows::load_state_by_id(db, request.of.id, false, deadline);
  if (!state) {
    if (direct) return LogPage{};
    return forbidden();
  }
  const Member* viewer = state->member(request.viewer_id);
  if (!viewer) return forbidden();
  auto rows = db.exec(log_entries,
                      pg::Params()
                          .int64(state->id)
                          .int64(viewer->joined_seq)
                          .int64(request.before_seq.value_or(INT64_MAX))
                          .int64(static_cast<std::int64_t>(std::min<std::size_t>(request.limit, INT64_MAX))),
                      deadline);
  LogPage page;
  page.entries.reserve(static_cast<std::size_t>(rows.rows()));
  for (int i = rows.rows() - 1; i >= 0; --i) page.entries.push_back(pg_rows::read_entry(rows, i));  // oldest first
  std::vector<LogEntry*> entries;
  for (auto& e : page.entries) entries.push_back(&e);
  pg_rows::add_reactions(db, std::move(entries), deadline);
  page.state = std::move(*state);
  return page;
}

Result<std::optional<ConversationState>> get_state(pg::Connection& db, std::int64_t id, pg::Clock::time_point deadline) {
  return pg_rows::load_state_by_id(db, id, false, deadline);
}

Result<ConversationView> get_conversation(pg::Connection& db, std::int64_t id, const std::string& viewer,
                                          pg::Clock::time_point deadline) {
  auto rows = db.exec(one_view, pg::Params().text(viewer).int64(id), deadline);
  if (rows.rows() == 0) return forbidden();
  std::vector<ConversationView> views{read_view(rows, 0)};
  add_members(db, views, deadline);
  return std::move(views[0]);
}

Result<ConversationPage> list_conversations(pg::Connection& db, const ListRequest& request,
                                            pg::Clock::time_point deadline) {
  auto after = request.after.value_or(std::make_pair(INT64_MAX, INT64_MAX));
  auto limit = static_cast<std::int64_t>(std::min<std::size_t>(request.limit, 10'000));
  // One more than asked: whether there is a next page.
  auto rows = db.exec(list_view, pg::Params().text(request.user_id).int64(after.first).int64(after.second).int64(limit + 1),
                      deadline);
  ConversationPage page;
  for (int i = 0; i < rows.rows() && i < limit; ++i) page.conversations.push_back(read_view(rows, i));
  if (rows.rows() > limit && !page.conversations.empty()) {
    const auto& last = page.conversations.back();
    page.next = std::make_pair(last.last_activity_ms, last.state.id);
  }
  add_members(db, page.conversations, deadline);
  return page;
}

// Without one transaction around its statements: each conversation's entries are bounded by the
// last_seq its view read, and a conversation's seqs commit in order (under its row's lock), so
// every entry up to that seq is there, and none past it is taken.
Result<SyncPage> sync(pg::Connection& db, const SyncRequest& request, pg::Clock::time_point deadline) {
  std::vector<std::int64_t> known_ids, known_seqs;
  for (const auto& [id, seq] : request.known) {
    known_ids.push_back(id);
    known_seqs.push_back(seq);
  }
  SyncPage page;
  if (request.after_conversation == 0 && !known_ids.empty()) {
    auto rows = db.exec(sync_member_of, pg::Params().text(request.user_id).text(pg::int8_array_literal(known_ids)), deadline);
    std::vector<std::int64_t> mine;
    for (int i = 0; i < rows.rows(); ++i) mine.push_back(rows.int64(i, 0));
    page.gone = sync_rules::gone(request, mine);
  }
  auto due = db.exec(sync_due,
                     pg::Params()
                         .text(request.user_id)
                         .int64(request.after_conversation)
                         .text(pg::int8_array_literal(known_ids))
                         .text(pg::int8_array_literal(known_seqs))
                         .int64(static_cast<std::int64_t>(request.max_conversations) + 1),
                     deadline);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < due.rows(); ++i) ids.push_back(due.int64(i, 0));
  bool more = ids.size() > request.max_conversations;
  if (more) ids.resize(request.max_conversations);
  if (ids.empty()) return page;
  auto rows = db.exec(sync_views, pg::Params().text(request.user_id).text(pg::int8_array_literal(ids)), deadline);
  std::vector<ConversationView> views;
  for (int i = 0; i < rows.rows(); ++i) views.push_back(read_view(rows, i));
  add_members(db, views, deadline);
  std::sort(views.begin(), views.end(), [](const auto& a, const auto& b) { return a.state.id < b.state.id; });
  std::size_t entries = 0;
  for (auto& view : views) {
    if (sync_rules::page_full(request, page, entries)) {
      more = true;
      break;
    }
    SyncedConversation synced{.view = std::move(view)};
    LogRange range = sync_rules::range(request, synced.view);
    if (range.from_seq >= range.before_seq) continue;
    auto found = db.exec(sync_entries,
                         pg::Params()
                             .int64(synced.view.state.id)
                             .int64(range.from_seq)
                             .int64(range.before_seq)
                             .int64(static_cast<std::int64_t>(request.limit) + 1),
                         deadline);
    for (int i = 0; i < found.rows(); ++i) synced.entries.push_back(pg_rows::read_entry(found, i));  // newest first
    sync_rules::keep_newest(synced, request.limit);
    std::vector<LogEntry> changed;
    if (auto targets = sync_rules::changed_targets(synced); !targets.empty()) {
      auto messages = db.exec(sync_changed, pg::Params().text(pg::int8_array_literal(targets)), deadline);
      for (int i = 0; i < messages.rows(); ++i) changed.push_back(pg_rows::read_entry(messages, i));
    }
    std::vector<LogEntry*> with_reactions;
    for (auto& e : synced.entries) with_reactions.push_back(&e);
    for (auto& e : changed) with_reactions.push_back(&e);
    pg_rows::add_reactions(db, std::move(with_reactions), deadline);
    sync_rules::take_changed(request, synced, std::move(changed));
    entries += synced.entries.size();
    page.conversations.push_back(std::move(synced));
  }
  if (more && !page.conversations.empty()) page.next = page.conversations.back().view.state.id;
  return page;
}

Result<MessageHistory> message_history(pg::Connection& db, std::int64_t message_id, const std::string& viewer,
                                       pg::Clock::time_point deadline) {
  auto message = pg_rows::entry_by_id(db, message_id, deadline);
  if (!message || !is_message(message->kind)) return refused(Refusal::not_found, "message not found");
  auto state = pg_rows::load_state_by_id(db, message->conversation_id, false, deadline);
  const Member* me = state ? state->member(viewer) : nullptr;
  if (!me || message->seq < me->joined_seq) return forbidden();
  MessageHistory history;
  if (!message->deleted) {
    history.revisions = pg_rows::earlier_versions(db, message_id, deadline);
    history.revisions.push_back(Revision{message->content, message->edited_at_ms});
  }
  pg_rows::add_reactions(db, {&*message}, deadline);
  history.message = std::move(*message);
  return history;
}

}  // namespace parley::store::pg_reads
