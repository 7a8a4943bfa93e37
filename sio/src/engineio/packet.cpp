// Engine.IO v4 packet codec: text frames, polling payloads and the handshake JSON.
#include "sio/engineio/packet.hpp"

#include <charconv>

#include "sio/json.hpp"
#include "sio/util/base64.hpp"
#include "util/utf8.hpp"

namespace sio::engineio {
namespace {

bool is_packet_type(char c) { return c >= '0' && c <= '6'; }

void append_decimal(uint64_t value, std::string& out) {
  char digits[20];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

}  // namespace

OutboundPacket OutboundPacket::text(PacketType type, std::string_view data) {
  std::string wire;
  wire.reserve(1 + data.size());
  wire.push_back(static_cast<char>(type));
  wire.append(data);
  return OutboundPacket{std::make_shared<const std::string>(std::move(wire)), false};
}

OutboundPacket OutboundPacket::text(std::string whole_packet) {
  return OutboundPacket{std::make_shared<const std::string>(std::move(whole_packet)), false};
}

OutboundPacket OutboundPacket::binary_message(std::string bytes) {
  return OutboundPacket{std::make_shared<const std::string>(std::move(bytes)), true};
}

std::optional<PacketView> decode_text_frame(std::string_view frame) noexcept {
  if (frame.empty() || !is_packet_type(frame[0])) return std::nullopt;
  return PacketView{static_cast<PacketType>(frame[0]), false, frame.substr(1)};
}

bool decode_payload(std::string_view body, std::vector<Packet>& out) {
  // Packets already in `out` are overwritten in place so their strings' buffers are reused.
  size_t count = 0;
  size_t start = 0;
  while (true) {
    const size_t separator = body.find(record_separator, start);
    const std::string_view encoded =
        body.substr(start, separator == std::string_view::npos ? std::string_view::npos
                                                               : separator - start);
    if (encoded.empty()) return false;  // an empty body, or two separators in a row
    if (count == out.size()) out.emplace_back();
    Packet& packet = out[count++];
    packet.data.clear();
    if (encoded[0] == 'b') {
      packet.type = PacketType::message;
      packet.binary = true;
      if (!util::base64_decode_append(encoded.substr(1), packet.data)) return false;
    } else if (is_packet_type(encoded[0])) {
      packet.type = static_cast<PacketType>(encoded[0]);
      packet.binary = false;
      // An HTTP body is bytes; a Node server reads it as UTF-8 with U+FFFD for what is not.
      const std::string_view text = encoded.substr(1);
      if (util::is_valid_utf8(text)) {
        packet.data.assign(text);
      } else {
        util::append_repaired_utf8(packet.data, text);
      }
    } else {
      return false;
    }
    if (separator == std::string_view::npos) break;
    start = separator + 1;
  }
  out.resize(count);
  return true;
}

void append_to_payload(const OutboundPacket& packet, std::string& out) {
  if (!out.empty()) out.push_back(record_separator);
  if (packet.binary) {
    out.push_back('b');
    util::base64_append(*packet.wire, out);
  } else {
    out.append(*packet.wire);
  }
}

std::string encode_open_packet(std::string_view sid, bool can_upgrade, uint32_t ping_interval_ms,
                               uint32_t ping_timeout_ms, uint64_t max_payload) {
  std::string out;
  out.reserve(112 + sid.size());
  out.append(R"({"sid":)");
  json::append_string(out, sid);
  out.append(can_upgrade ? R"(,"upgrades":["websocket"])" : R"(,"upgrades":[])");
  out.append(R"(,"pingInterval":)");
  append_decimal(ping_interval_ms, out);
  out.append(R"(,"pingTimeout":)");
  append_decimal(ping_timeout_ms, out);
  out.append(R"(,"maxPayload":)");
  append_decimal(max_payload, out);
  out.push_back('}');
  return out;
}

}  // namespace sio::engineio
