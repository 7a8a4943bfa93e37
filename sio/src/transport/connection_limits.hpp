// Open TCP connections per client address, so that one address cannot hold all of a server's
// descriptors (slowloris: many connections, each trickling a request). Shared by the loops of
// one server; a connection holds its Slot from accept to close, wherever it moves (another
// loop, a WebSocket).
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <optional>

#include <boost/asio/ip/address.hpp>

#include "sio/transport/trusted_proxies.hpp"

namespace sio::transport::detail {

class ConnectionLimits {
  struct Counts;

 public:
  using Key = std::array<unsigned char, 16>;  // the address as IPv6 (IPv4 mapped)

  // One open connection of an address; gives its place back when destroyed. Empty (costing
  // nothing) for an address that is not counted.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    ~Slot();

   private:
    friend class ConnectionLimits;
    Slot(std::shared_ptr<Counts> counts, Key key) : counts_(std::move(counts)), key_(key) {}
    void release() noexcept;
    std::shared_ptr<Counts> counts_;
    Key key_{};
  };

  // `max_per_address` 0: no cap. Trusted proxies are exempt (every client behind them shares
  // their address), and loopback addresses unless `limit_loopback`.
  ConnectionLimits(std::size_t max_per_address, bool limit_loopback, TrustedProxies exempt);

  // A slot for one more connection from `address`; nullopt when it has `max_per_address`
  // open already. Any thread.
  std::optional<Slot> acquire(const boost::asio::ip::address& address);

  // Connections open now from `address` (counted ones only).
  std::size_t open(const boost::asio::ip::address& address) const;

 private:
  bool counted(const boost::asio::ip::address& address) const;

  std::size_t max_per_address_;
  bool limit_loopback_;
  TrustedProxies exempt_;
  std::shared_ptr<Counts> counts_;
};

}  // namespace sio::transport::detail
