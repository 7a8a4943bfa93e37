// The JWT secret when none is configured: created once from the CSPRNG and kept in a file
// readable by its owner only, so tokens stay valid across restarts.
#pragma once

#include <string>

namespace parley::app {

struct LoadedSecret {
  std::string secret;
  bool created = false;
};

// Reads `path`, or creates it (mode 0600) with 32 random bytes, base64url. Throws on I/O errors.
LoadedSecret load_or_create_secret(const std::string& path);

}  // namespace parley::app
