// UTF-8 repair as the WHATWG decoder (and so Node's Buffer#toString) does it: each maximal
// ill-formed subsequence becomes U+FFFD. Text from HTTP bodies is decoded this way by a Node
// server, so a Socket.IO peer expects the same.
#pragma once

#include <string>
#include <string_view>

namespace sio::util {

bool is_valid_utf8(std::string_view s);
// Appends `s` to `out` with every ill-formed sequence replaced by U+FFFD.
void append_repaired_utf8(std::string& out, std::string_view s);

}  // namespace sio::util
