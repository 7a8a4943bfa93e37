// Which peers are reverse proxies whose X-Forwarded-For is believed. Behind a load balancer,
// every connection comes from the balancer's address: limits keyed by that address would treat
// all clients as one. The client is the rightmost X-Forwarded-For entry that is not itself a
// trusted proxy, and only when the connection comes from a trusted proxy (a client can write
// any X-Forwarded-For it likes, so entries left of an untrusted hop mean nothing).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::transport {

class TrustedProxies {
 public:
  TrustedProxies();
  ~TrustedProxies();
  TrustedProxies(const TrustedProxies&);
  TrustedProxies& operator=(const TrustedProxies&);

  // Addresses or CIDR blocks ("10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8"). nullopt, with
  // `error` naming the bad entry, when one is not an address.
  static std::optional<TrustedProxies> parse(const std::vector<std::string>& entries, std::string& error);

  bool empty() const;
  bool trusted(std::string_view address) const;
  // The client's address, given the TCP peer's and the request's X-Forwarded-For header.
  std::string client_address(const std::string& peer, std::string_view forwarded_for) const;

 private:
  struct Networks;
  std::unique_ptr<Networks> networks_;
};

}  // namespace sio::transport
