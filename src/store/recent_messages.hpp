// The SQLite store's messages that its conversation index does not hold yet, in memory.
//
// Why: an index on (conversation, id) updated one message at a time dirties one B-tree leaf per
// message (the last leaf of that conversation's range), and SQLite's WAL writes every dirtied
// page whole: ~4 KiB of WAL per ~150-byte message, the writer's largest cost
// (docs/performance.md §13). So the writer appends messages to the table alone and indexes them
// in bulk, in (conversation, id) order, once enough have gathered; a bulk touches each hot leaf
// once for many messages. Until then the messages are found here.
//
// The store must be the database's only writer (it is: it owns the file while it runs); what
// another process appended would be found only after a restart.
//
// Shared by the writer thread (which publishes after each commit and prunes after each bulk)
// and the reader thread; every member is safe to call from either.
//
// A reader must see, for its database snapshot, every committed message above the snapshot's
// `indexed_through`. `ids_for` therefore refuses (returns nullopt) when this set no longer
// holds all of those (a bulk was pruned after the snapshot began) or does not hold them yet
// (the writer has committed but not yet published): the reader starts a new snapshot.
#pragma once

#include <cstdint>
#include <climits>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace parley::store {

struct IndexEntry {
  std::int64_t conversation_id;
  std::int64_t message_id;
  // The entry's seq in its conversation: within a conversation seq order is id order (the store
  // is the only writer and assigns both in the same order).
  std::int64_t seq = 0;
  friend bool operator==(const IndexEntry&, const IndexEntry&) = default;
};

// Which entries of a conversation a reader wants: from_seq <= seq < before_seq and id < before_id.
struct LogRange {
  std::int64_t from_seq = INT64_MIN;
  std::int64_t before_seq = INT64_MAX;
  std::int64_t before_id = INT64_MAX;
};

class RecentMessages {
 public:
  // Starts over: holds nothing, covers the ids above `indexed_through`, and has published up to
  // `max_id` (what load() then adds must lie in between).
  void reset(std::int64_t indexed_through, std::int64_t max_id);
  // At start, before other threads use this: a committed message above indexed_through.
  void load(IndexEntry entry);

  // After a commit: the batch's messages, in ascending id order.
  void publish(const std::vector<IndexEntry>& entries);

  // The entries with after < id <= through, ordered by (conversation, id): a bulk's work.
  std::vector<IndexEntry> collect(std::int64_t after, std::int64_t through) const;
  // After the bulk that indexed every id <= `indexed_through` committed.
  void prune_through(std::int64_t indexed_through);

  // For a reader whose snapshot has `indexed_through` and `max_id`: the ids of `conversation`
  // in (indexed_through, max_id] and below `before`, newest first, at most `limit`; nullopt when
  // this set cannot answer for that snapshot (see above).
  std::optional<std::vector<std::int64_t>> ids_for(std::int64_t conversation, std::int64_t indexed_through,
                                                    std::int64_t max_id, std::int64_t before,
                                                    std::size_t limit) const;
  // The same for the entries of `conversation` in `range`, newest first.
  std::optional<std::vector<IndexEntry>> entries_for(std::int64_t conversation, std::int64_t indexed_through,
                                                     std::int64_t max_id, const LogRange& range,
                                                     std::size_t limit) const;

  std::size_t size() const;
  std::size_t conversations() const;  // that size() falls in
  std::int64_t published_through() const;

 private:
  mutable std::mutex mutex_;
  struct Held {
    std::int64_t id;
    std::int64_t seq;
  };
  std::unordered_map<std::int64_t, std::vector<Held>> ids_;  // per conversation, ascending
  std::size_t size_ = 0;
  std::int64_t covered_after_ = 0;     // every published id above this is held
  std::int64_t published_through_ = 0;  // the highest id published (or loaded)
};

}  // namespace parley::store
