#include "chat/delivery_memory.hpp"

#include <algorithm>

namespace parley::chat {

DeliveryMemory::DeliveryMemory(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}

bool DeliveryMemory::first_delivery(std::int64_t message_id) {
  std::lock_guard lock(mutex_);
  if (!delivered_.insert(message_id).second) return false;
  if (order_.size() < capacity_) {
    order_.push_back(message_id);
  } else {
    delivered_.erase(order_[next_]);
    order_[next_] = message_id;
    next_ = (next_ + 1) % capacity_;
  }
  return true;
}

std::size_t DeliveryMemory::size() const {
  std::lock_guard lock(mutex_);
  return delivered_.size();
}

}  // namespace parley::chat
