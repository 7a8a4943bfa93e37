#include "store/sqlite_message_index.hpp"

#include <algorithm>
#include <thread>

namespace parley::store {

namespace {

constexpr const char* select_message =
    "SELECT m.id, m.conversation_id, m.sender_id, u.name, m.content, m.created_at "
    "FROM messages m JOIN users u ON u.id = m.sender_id ";

Message read_message(const sqlite::Statement& s) {
  return Message{s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.int64(5)};
}

// How often a reader starts a new snapshot when the writer is between publishing and pruning;
// each wait is a scheduler yield, the writer's side takes microseconds.
constexpr int snapshot_attempts = 10'000;

}  // namespace

IndexWriter::IndexWriter(sqlite::Connection& db, RecentMessages& recent, SqliteIndexOptions options)
    : db_(db),
      recent_(recent),
      options_(options),
      begin_(db.handle(), "BEGIN IMMEDIATE"),
      commit_(db.handle(), "COMMIT"),
      rollback_(db.handle(), "ROLLBACK"),
      insert_(db.handle(), "INSERT OR IGNORE INTO conversation_messages (conversation_id, message_id) VALUES (?, ?)"),
      set_indexed_through_(db.handle(), "UPDATE message_index_state SET indexed_through = ?") {
  options_.bulk_rows = std::max<std::size_t>(1, options_.bulk_rows);
  options_.max_rows = std::max(options_.bulk_rows, options_.max_rows);
  options_.chunk_rows = std::max<std::size_t>(1, options_.chunk_rows);
  sqlite::Statement state(db.handle(),
                          "SELECT indexed_through, (SELECT COALESCE(MAX(id), 0) FROM messages) FROM message_index_state");
  std::int64_t max_id = 0;
  if (state.step()) {
    indexed_through_ = state.int64(0);
    max_id = state.int64(1);
  }
  state.reset();
  recent_.reset(indexed_through_, max_id);
  sqlite::Statement tail(db.handle(), "SELECT conversation_id, id FROM messages WHERE id > ? ORDER BY id");
  tail.bind(1, indexed_through_);
  while (tail.step()) recent_.load(IndexEntry{tail.int64(0), tail.int64(1)});
  tail.reset();
}

void IndexWriter::index_some() {
  if (bulk_.empty()) {
    std::size_t unindexed = recent_.size();
    std::size_t due = std::max(options_.bulk_rows, options_.per_conversation * recent_.conversations());
    if (unindexed < std::min(due, options_.max_rows)) return;
    bulk_through_ = recent_.published_through();
    bulk_ = recent_.collect(indexed_through_, bulk_through_);
    bulk_done_ = 0;
  }
  std::size_t end = std::min(bulk_.size(), bulk_done_ + options_.chunk_rows);
  bool last = end == bulk_.size();
  try {
    begin_.run();
    for (std::size_t i = bulk_done_; i < end; ++i) insert_.bind(1, bulk_[i].conversation_id).bind(2, bulk_[i].message_id).run();
    if (last) set_indexed_through_.bind(1, bulk_through_).run();
    commit_.run();
  } catch (const sqlite::Error&) {
    insert_.reset();
    set_indexed_through_.reset();
    try {
      rollback_.run();
    } catch (const sqlite::Error&) {
    }
    return;
  }
  bulk_done_ = end;
  if (!last) return;
  indexed_through_ = bulk_through_;
  recent_.prune_through(indexed_through_);
  bulk_.clear();
  bulk_.shrink_to_fit();
}

HistoryReader::HistoryReader(sqlite::Connection& db)
    : db_(db),
      begin_(db.handle(), "BEGIN"),
      end_(db.handle(), "COMMIT"),
      conversation_(db.handle(), "SELECT id FROM conversations WHERE direct_key = ?"),
      state_(db.handle(),
             "SELECT indexed_through, (SELECT COALESCE(MAX(id), 0) FROM messages) FROM message_index_state"),
      indexed_(db.handle(), std::string(select_message) +
                                "JOIN conversation_messages ci ON ci.message_id = m.id "
                                "WHERE ci.conversation_id = ?1 AND ci.message_id < ?2 AND m.deleted_at IS NULL "
                                "ORDER BY ci.message_id DESC LIMIT ?3"),
      by_id_(db.handle(), std::string(select_message) +
                              "WHERE m.id = ?1 AND m.conversation_id = ?2 AND m.deleted_at IS NULL") {}

Result<std::vector<Message>> HistoryReader::read(const RecentMessages& recent, const std::string& direct_key,
                                                 std::int64_t before, std::size_t limit) {
  for (int attempt = 0; attempt < snapshot_attempts; ++attempt) {
    std::optional<std::vector<Message>> messages;
    try {
      messages = read_in_snapshot(recent, direct_key, before, limit);
    } catch (...) {
      end_snapshot();
      throw;
    }
    end_snapshot();
    if (messages) return std::move(*messages);
    std::this_thread::yield();
  }
  return Failure{"history: the message index did not settle"};
}

std::optional<std::vector<Message>> HistoryReader::read_in_snapshot(const RecentMessages& recent,
                                                                    const std::string& direct_key,
                                                                    std::int64_t before, std::size_t limit) {
  std::vector<Message> messages;
  begin_.run();
  // The snapshot begins with this first read and holds until end_snapshot().
  conversation_.bind(1, direct_key);
  bool known = conversation_.step();
  std::int64_t conversation = known ? conversation_.int64(0) : 0;
  conversation_.reset();
  if (!known || limit == 0) return messages;
  std::int64_t indexed_through = 0, max_id = 0;
  if (state_.step()) {
    indexed_through = state_.int64(0);
    max_id = state_.int64(1);
  }
  state_.reset();

  // The newest first: the unindexed messages above indexed_through, then the index below them.
  std::vector<Message> recent_part;
  std::int64_t below = before;
  while (recent_part.size() < limit) {
    std::size_t wanted = limit - recent_part.size();
    auto ids = recent.ids_for(conversation, indexed_through, max_id, below, wanted);
    if (!ids) return std::nullopt;
    for (auto id : *ids) {
      by_id_.bind(1, id).bind(2, conversation);
      if (by_id_.step()) recent_part.push_back(read_message(by_id_));
      by_id_.reset();
    }
    if (ids->size() < wanted) break;
    below = ids->back();
  }
  std::vector<Message> indexed_part;
  indexed_.bind(1, conversation).bind(2, before).bind(3, static_cast<std::int64_t>(limit));
  while (indexed_.step()) indexed_part.push_back(read_message(indexed_));
  indexed_.reset();

  // Both newest first; a bulk in progress may have indexed some of the recent ones already.
  std::size_t r = 0, i = 0;
  while (messages.size() < limit && (r < recent_part.size() || i < indexed_part.size())) {
    bool take_recent = i == indexed_part.size() ||
                       (r < recent_part.size() && recent_part[r].id >= indexed_part[i].id);
    if (take_recent) {
      if (i < indexed_part.size() && indexed_part[i].id == recent_part[r].id) ++i;
      messages.push_back(std::move(recent_part[r++]));
    } else {
      messages.push_back(std::move(indexed_part[i++]));
    }
  }
  std::reverse(messages.begin(), messages.end());
  return messages;
}

void HistoryReader::end_snapshot() {
  conversation_.reset();
  state_.reset();
  indexed_.reset();
  by_id_.reset();
  try {
    end_.run();
  } catch (const sqlite::Error&) {
  }
}

}  // namespace parley::store
