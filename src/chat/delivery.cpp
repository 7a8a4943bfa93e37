#include "chat/delivery.hpp"

#include "sio/socketio/server.hpp"

namespace parley::chat {

// One broadcast to the union of the rooms: a socket in two of them (a user's own message) gets
// it once.
void LocalDelivery::to_users(const std::vector<std::string>& user_ids, std::string_view event, std::string json) {
  if (user_ids.empty()) return;
  sio::Broadcast audience = nsp_.to(user_room(user_ids.front()));
  for (std::size_t i = 1; i < user_ids.size(); ++i) audience.to(user_room(user_ids[i]));
  audience.emit(event, sio::RawJson{std::move(json)});
}

}  // namespace parley::chat
