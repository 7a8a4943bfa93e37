// Fuzzes Engine.IO text frame decoding: it must never crash, and must only view the frame.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sio/engineio/packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  const auto packet = sio::engineio::decode_text_frame(frame);
  if (!packet) return 0;
  const char type = static_cast<char>(packet->type);
  if (type < '0' || type > '6' || type != frame[0] || packet->binary) std::abort();
  if (packet->data.data() != frame.data() + 1 || packet->data.size() != size - 1) std::abort();
  return 0;
}
