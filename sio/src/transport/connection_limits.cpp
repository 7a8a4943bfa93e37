// Per-address connection counts; see connection_limits.hpp.
#include "transport/connection_limits.hpp"

#include <mutex>
#include <string_view>
#include <unordered_map>

namespace sio::transport::detail {

namespace ip = boost::asio::ip;

namespace {

// IPv4-mapped IPv6 ("::ffff:127.0.0.1", from a dual-stack socket) counts as its IPv4 address.
ip::address unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

ConnectionLimits::Key key_of(const ip::address& address) {
  if (address.is_v4()) return ip::make_address_v6(ip::v4_mapped, address.to_v4()).to_bytes();
  return address.to_v6().to_bytes();
}

struct KeyHash {
  std::size_t operator()(const ConnectionLimits::Key& key) const noexcept {
    return std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
  }
};

}  // namespace

// Taken once per accept and once per close of a counted connection, never per message.
struct ConnectionLimits::Counts {
  std::mutex mutex;
  std::unordered_map<Key, std::size_t, KeyHash> open;
};

ConnectionLimits::Slot& ConnectionLimits::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    counts_ = std::move(other.counts_);
    key_ = other.key_;
  }
  return *this;
}

ConnectionLimits::Slot::~Slot() { release(); }

void ConnectionLimits::Slot::release() noexcept {
  if (!counts_) return;
  {
    std::lock_guard lock(counts_->mutex);
    auto it = counts_->open.find(key_);
    if (it != counts_->open.end() && --it->second == 0) counts_->open.erase(it);
  }
  counts_.reset();
}

ConnectionLimits::ConnectionLimits(std::size_t max_per_address, bool limit_loopback, TrustedProxies exempt)
    : max_per_address_(max_per_address),
      limit_loopback_(limit_loopback),
      exempt_(std::move(exempt)),
      counts_(std::make_shared<Counts>()) {}

bool ConnectionLimits::counted(const ip::address& address) const {
  if (max_per_address_ == 0) return false;
  if (!limit_loopback_ && address.is_loopback()) return false;
  return exempt_.empty() || !exempt_.trusted(address.to_string());
}

std::optional<ConnectionLimits::Slot> ConnectionLimits::acquire(const ip::address& peer) {
  auto address = unmapped(peer);
  if (!counted(address)) return Slot{};
  Key key = key_of(address);
  std::lock_guard lock(counts_->mutex);
  auto& open = counts_->open[key];
  if (open >= max_per_address_) return std::nullopt;
  ++open;
  return Slot(counts_, key);
}

std::size_t ConnectionLimits::open(const ip::address& peer) const {
  Key key = key_of(unmapped(peer));
  std::lock_guard lock(counts_->mutex);
  auto it = counts_->open.find(key);
  return it == counts_->open.end() ? 0 : it->second;
}

}  // namespace sio::transport::detail
