#include "sio/transport/trusted_proxies.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace sio::transport {

namespace ip = boost::asio::ip;

struct TrustedProxies::Networks {
  std::vector<ip::network_v4> v4;
  std::vector<ip::network_v6> v6;
};

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An address as text, with IPv4-mapped IPv6 addresses ("::ffff:10.0.0.1") as IPv4.
std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::address(ip::make_address_v4(ip::v4_mapped, address.to_v6()));
  }
  return address;
}

}  // namespace

TrustedProxies::TrustedProxies() : networks_(std::make_unique<Networks>()) {}
TrustedProxies::~TrustedProxies() = default;
TrustedProxies::TrustedProxies(const TrustedProxies& other) : networks_(std::make_unique<Networks>(*other.networks_)) {}
TrustedProxies& TrustedProxies::operator=(const TrustedProxies& other) {
  networks_ = std::make_unique<Networks>(*other.networks_);
  return *this;
}

std::optional<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries, std::string& error) {
  TrustedProxies proxies;
  for (const auto& raw : entries) {
    std::string_view entry = trim(raw);
    if (entry.empty()) continue;
    auto slash = entry.find('/');
    auto address = parse_address(entry.substr(0, slash));
    int prefix = -1;
    if (address && slash != std::string_view::npos) {
      std::string_view bits = entry.substr(slash + 1);
      prefix = 0;
      for (char c : bits) prefix = (c >= '0' && c <= '9' && prefix <= 128) ? prefix * 10 + (c - '0') : 1000;
      if (bits.empty()) prefix = 1000;
    }
    if (!address || prefix > (address->is_v4() ? 32 : 128)) {
      error = "not an address or CIDR block: " + std::string(entry);
      return std::nullopt;
    }
    if (address->is_v4()) {
      proxies.networks_->v4.push_back(ip::make_network_v4(address->to_v4(), prefix < 0 ? 32 : prefix).canonical());
    } else {
      proxies.networks_->v6.push_back(ip::make_network_v6(address->to_v6(), prefix < 0 ? 128 : prefix).canonical());
    }
  }
  return proxies;
}

bool TrustedProxies::empty() const { return networks_->v4.empty() && networks_->v6.empty(); }

bool TrustedProxies::trusted(std::string_view text) const {
  if (empty()) return false;
  auto address = parse_address(text);
  if (!address) return false;
  if (address->is_v4()) {
    for (const auto& network : networks_->v4) {
      if (ip::make_network_v4(address->to_v4(), network.prefix_length()).canonical() == network) return true;
    }
    return false;
  }
  for (const auto& network : networks_->v6) {
    if (ip::make_network_v6(address->to_v6(), network.prefix_length()).canonical() == network) return true;
  }
  return false;
}

std::string TrustedProxies::client_address(const std::string& peer, std::string_view forwarded_for) const {
  if (forwarded_for.empty() || !trusted(peer)) return peer;
  std::string client = peer;
  // From the nearest hop outwards: each trusted proxy vouches for the entry before it.
  while (!forwarded_for.empty()) {
    auto comma = forwarded_for.rfind(',');
    std::string_view entry = trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    auto address = parse_address(entry);
    if (!address) break;  // garbage: believe nothing further out
    client = address->to_string();
    if (!trusted(client)) break;
  }
  return client;
}

}  // namespace sio::transport
