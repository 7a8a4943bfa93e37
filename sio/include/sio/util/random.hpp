// Unguessable identifiers from the CSPRNG (OpenSSL's RAND_bytes).
#pragma once

#include <string>

namespace sio::util {

// `bytes` random bytes, base64url without padding (16 bytes -> 22 characters).
std::string random_token(std::size_t bytes);

}  // namespace sio::util
