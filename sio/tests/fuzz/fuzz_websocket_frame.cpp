// Fuzzes the WebSocket frame parser: any bytes, fed in two chunks as a socket may split them,
// must be parsed or refused without crashing, and a reported message must fit the limit.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "transport/websocket_frame.hpp"

using namespace sio::transport::ws;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  constexpr std::uint64_t limit = 4096;
  std::size_t split = data[0] % (size + 1);
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  FrameParser parser(limit);
  std::string pending;
  for (int part = 0; part < 2; ++part) {
    pending += part == 0 ? bytes.substr(0, std::min(split, bytes.size())) : bytes.substr(std::min(split, bytes.size()));
    std::size_t offset = 0;
    for (;;) {
      std::size_t used = 0;
      Event event;
      auto status = parser.next(pending.data() + offset, pending.size() - offset, used, event);
      if (status != FrameParser::Status::event) break;
      if (used == 0 || used > pending.size() - offset) std::abort();  // must make progress
      if (event.kind == Event::Kind::message && event.payload.size() > limit) std::abort();
      offset += used;
    }
    if (parser.error_code() != 0) return 0;
    pending.erase(0, offset);
  }
  return 0;
}
