// Fuzzes polling payload decoding; what decodes must encode back to a payload that decodes to
// the same packets.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sio/engineio/packet.hpp"

using namespace sio::engineio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<Packet> packets;
  if (!decode_payload(body, packets)) return 0;
  if (packets.empty()) std::abort();

  std::string encoded;
  for (const auto& packet : packets) {
    if (packet.binary && packet.type != PacketType::message) std::abort();
    append_to_payload(packet.binary ? OutboundPacket::binary_message(packet.data)
                                    : OutboundPacket::text(packet.type, packet.data),
                      encoded);
  }
  std::vector<Packet> again;
  if (!decode_payload(encoded, again)) std::abort();
  if (again.size() != packets.size()) std::abort();
  for (size_t i = 0; i < packets.size(); ++i) {
    if (again[i].type != packets[i].type || again[i].binary != packets[i].binary ||
        again[i].data != packets[i].data) {
      std::abort();
    }
  }
  return 0;
}
