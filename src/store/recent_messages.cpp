#include "store/recent_messages.hpp"

#include <algorithm>

namespace parley::store {

void RecentMessages::reset(std::int64_t indexed_through, std::int64_t max_id) {
  std::lock_guard lock(mutex_);
  ids_.clear();
  size_ = 0;
  covered_after_ = indexed_through;
  published_through_ = std::max(indexed_through, max_id);
}

void RecentMessages::load(IndexEntry entry) {
  std::lock_guard lock(mutex_);
  ids_[entry.conversation_id].push_back(Held{entry.message_id, entry.seq});
  ++size_;
}

void RecentMessages::publish(const std::vector<IndexEntry>& entries) {
  if (entries.empty()) return;
  std::lock_guard lock(mutex_);
  for (const auto& e : entries) {
    ids_[e.conversation_id].push_back(Held{e.message_id, e.seq});
    published_through_ = std::max(published_through_, e.message_id);
  }
  size_ += entries.size();
}

namespace {
bool id_below(const auto& held, std::int64_t id) { return held.id < id; }
bool id_above(std::int64_t id, const auto& held) { return id < held.id; }
}  // namespace

std::vector<IndexEntry> RecentMessages::collect(std::int64_t after, std::int64_t through) const {
  std::vector<IndexEntry> entries;
  {
    std::lock_guard lock(mutex_);
    entries.reserve(size_);
    for (const auto& [conversation, ids] : ids_) {
      auto first = std::upper_bound(ids.begin(), ids.end(), after, id_above<Held>);
      auto last = std::upper_bound(first, ids.end(), through, id_above<Held>);
      for (auto it = first; it != last; ++it) entries.push_back({conversation, it->id, it->seq});
    }
  }
  std::sort(entries.begin(), entries.end(), [](const IndexEntry& a, const IndexEntry& b) {
    return a.conversation_id != b.conversation_id ? a.conversation_id < b.conversation_id
                                                  : a.message_id < b.message_id;
  });
  return entries;
}

void RecentMessages::prune_through(std::int64_t indexed_through) {
  std::lock_guard lock(mutex_);
  for (auto it = ids_.begin(); it != ids_.end();) {
    auto& ids = it->second;
    auto kept = std::upper_bound(ids.begin(), ids.end(), indexed_through, id_above<Held>);
    size_ -= static_cast<std::size_t>(kept - ids.begin());
    ids.erase(ids.begin(), kept);
    it = ids.empty() ? ids_.erase(it) : std::next(it);
  }
  covered_after_ = std::max(covered_after_, indexed_through);
}

std::optional<std::vector<IndexEntry>> RecentMessages::entries_for(std::int64_t conversation,
                                                                   std::int64_t indexed_through,
                                                                   std::int64_t max_id, const LogRange& range,
                                                                   std::size_t limit) const {
  std::lock_guard lock(mutex_);
  // Pruned past the snapshot's index, or the snapshot holds commits not yet published.
  if (covered_after_ > indexed_through || published_through_ < max_id) return std::nullopt;
  std::vector<IndexEntry> newest;
  auto found = ids_.find(conversation);
  if (found == ids_.end()) return newest;
  const auto& ids = found->second;
  // Ids ascend, and so do seqs within a conversation: each bound is a binary search.
  auto end = std::upper_bound(ids.begin(), ids.end(), max_id, id_above<Held>);
  end = std::lower_bound(ids.begin(), end, range.before_id, id_below<Held>);
  auto begin = std::upper_bound(ids.begin(), end, indexed_through, id_above<Held>);
  end = std::lower_bound(begin, end, range.before_seq, [](const Held& h, std::int64_t s) { return h.seq < s; });
  begin = std::lower_bound(begin, end, range.from_seq, [](const Held& h, std::int64_t s) { return h.seq < s; });
  for (auto it = end; it != begin && newest.size() < limit;) {
    --it;
    newest.push_back(IndexEntry{conversation, it->id, it->seq});
  }
  return newest;
}

std::optional<std::vector<std::int64_t>> RecentMessages::ids_for(std::int64_t conversation,
                                                                  std::int64_t indexed_through,
                                                                  std::int64_t max_id, std::int64_t before,
                                                                  std::size_t limit) const {
  auto entries = entries_for(conversation, indexed_through, max_id, LogRange{.before_id = before}, limit);
  if (!entries) return std::nullopt;
  std::vector<std::int64_t> ids;
  ids.reserve(entries->size());
  for (const auto& e : *entries) ids.push_back(e.message_id);
  return ids;
}

std::size_t RecentMessages::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

std::size_t RecentMessages::conversations() const {
  std::lock_guard lock(mutex_);
  return ids_.size();
}

std::int64_t RecentMessages::published_through() const {
  std::lock_guard lock(mutex_);
  return published_through_;
}

}  // namespace parley::store
