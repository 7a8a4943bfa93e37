// Connection state recovery: the saved sessions and the log of sent events; see core.hpp.
#include <algorithm>

#include "socketio/core.hpp"

namespace sio::detail {

namespace {
bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

bool Audience::includes(const std::vector<std::string>& socket_rooms, const std::string& socket_id) const {
  if (!exclude_socket.empty() && socket_id == exclude_socket) return false;
  bool in = rooms.empty() || std::any_of(socket_rooms.begin(), socket_rooms.end(),
                                         [&](const std::string& r) { return contains(rooms, r); });
  if (!in) return false;
  return std::none_of(socket_rooms.begin(), socket_rooms.end(), [&](const std::string& r) { return contains(except, r); });
}

std::shared_ptr<const Packets> RecoveryStore::log(std::string_view nsp, const Audience& audience,
                                                  const std::function<Packets(std::string_view offset)>& encode) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  expire(now);
  std::uint64_t offset = next_offset_++;
  auto packets = std::make_shared<const Packets>(encode(std::to_string(offset)));
  log_.push_back(Entry{offset, std::string(nsp), audience, packets, now});
  return packets;
}

void RecoveryStore::persist(Saved session) {
  std::lock_guard lock(mutex_);
  expire(session.disconnected_at);
  std::string pid = session.pid;
  sessions_.insert_or_assign(std::move(pid), std::move(session));
}

std::optional<RecoveryStore::Restored> RecoveryStore::restore(std::string_view pid, std::string_view offset) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  expire(now);
  auto it = sessions_.find(std::string(pid));
  if (it == sessions_.end()) return std::nullopt;
  Restored restored{std::move(it->second), {}};
  sessions_.erase(it);

  std::uint64_t last_seen = 0;
  auto [ptr, ec] = std::from_chars(offset.data(), offset.data() + offset.size(), last_seen);
  if (ec != std::errc{} || ptr != offset.data() + offset.size()) return std::nullopt;
  // Offsets grow by one per logged event: the client's one must still be in the log.
  auto seen = std::lower_bound(log_.begin(), log_.end(), last_seen,
                               [](const Entry& e, std::uint64_t value) { return e.offset < value; });
  if (seen == log_.end() || seen->offset != last_seen) return std::nullopt;
  const auto& s = restored.session;
  for (auto e = std::next(seen); e != log_.end(); ++e) {
    if (e->nsp == s.nsp && e->audience.includes(s.rooms, s.sid)) restored.missed.push_back(e->packets);
  }
  return restored;
}

void RecoveryStore::expire(std::chrono::steady_clock::time_point now) {
  while (!log_.empty() && log_.front().at + window_ < now) log_.pop_front();
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.disconnected_at + window_ < now; });
}

}  // namespace sio::detail
