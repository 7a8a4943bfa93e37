#include "sio/util/random.hpp"

#include <stdexcept>
#include <string_view>
#include <vector>

#include <openssl/rand.h>

#include "sio/util/base64.hpp"

namespace sio::util {

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string out;
  out.reserve((bytes * 4 + 2) / 3);
  base64url_append(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()), out);
  return out;
}

}  // namespace sio::util
