// The one way pushes leave the chat layer: to every socket of some users. LocalDelivery sends to
// the per-user rooms (`user:<id>`) of this process's sio namespace; a Redis delivery (several
// nodes) will implement the same interface. Usable from any thread; pushes made from one thread
// reach each socket in the order made.
#pragma once

#include <string>
#include <string_view>
#include <vector>


namespace sio {
class Namespace;
}

namespace parley::chat {

inline std::string user_room(std::string_view user_id) { return "user:" + std::string(user_id); }

class Delivery {
 public:
  virtual ~Delivery() = default;
  // `event` with the JSON object `json` to every socket of each user in `user_ids`.
  virtual void to_users(const std::vector<std::string>& user_ids, std::string_view event, std::string json) = 0;
  void to_user(const std::string& user_id, std::string_view event, std::string json) {
    to_users({user_id}, event, std::move(json));
  }
};

class LocalDelivery final : public Delivery {
 public:
  explicit LocalDelivery(sio::Namespace& nsp) : nsp_(nsp) {}
  void to_users(const std::vector<std::string>& user_ids, std::string_view event, std::string json) override;

 private:
  sio::Namespace& nsp_;
};

}  // namespace parley::chat
