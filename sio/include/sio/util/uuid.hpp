// Random (version 4) UUIDs in their canonical lower-case text form, from the CSPRNG.
#pragma once

#include <string>

namespace sio::util {

std::string uuid_v4();

}  // namespace sio::util
