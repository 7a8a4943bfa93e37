// Which messages this process has delivered (pushed as receive_message), of the last
// `capacity` it delivered. A send_message retried with its clientMessageId finds the message
// already stored; whether anyone received it the first time is not in the database: the
// commit may have been ambiguous (PostgreSQL lost the connection while committing), or the
// process may have died between the commit and the delivery. So a retry is delivered unless
// this memory says it was: at worst (after a restart, or beyond `capacity` messages ago) a
// message is delivered twice, and clients drop the second copy by its id; never zero times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace parley::chat {

class DeliveryMemory {
 public:
  explicit DeliveryMemory(std::size_t capacity = 100'000);

  // Records `message_id` as delivered; false when it already was (deliver nothing then).
  // Safe from any thread.
  bool first_delivery(std::int64_t message_id);
  std::size_t size() const;

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_set<std::int64_t> delivered_;
  std::vector<std::int64_t> order_;  // a ring: the oldest is forgotten first
  std::size_t next_ = 0;             // where the next id goes in order_, once it is full
};

}  // namespace parley::chat
