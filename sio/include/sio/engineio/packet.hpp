// Engine.IO protocol v4 packets and polling payloads: the codec. Pure code, no I/O.
//
// Wire forms (https://github.com/socketio/engine.io-protocol):
//   text packet    <type digit><data>          e.g. "4hello", "2", "0{...}"
//   binary packet  WebSocket: the raw bytes of a binary frame (always a message)
//                  polling:   "b" + base64(bytes)
//   payload        packets joined by the record separator 0x1E (polling only)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::engineio {

enum class PacketType : char {
  open = '0',
  close = '1',
  ping = '2',
  pong = '3',
  message = '4',
  upgrade = '5',
  noop = '6',
};

inline constexpr char record_separator = '\x1e';

// A decoded packet that views the bytes it was decoded from.
struct PacketView {
  PacketType type = PacketType::noop;
  bool binary = false;    // true only for binary messages
  std::string_view data;  // the bytes after the type digit (or the whole binary frame)
};

// A decoded packet that owns its data (polling payloads need base64 decoding).
struct Packet {
  PacketType type = PacketType::noop;
  bool binary = false;
  std::string data;
};

// A packet ready to be written, shareable by every session it goes to: a broadcast encodes
// once and hands the same bytes to each recipient.
//   text:   `wire` is the whole text packet, type digit included ("42[...]")
//   binary: `wire` is the raw bytes of a binary message (no type digit)
struct OutboundPacket {
  std::shared_ptr<const std::string> wire;
  bool binary = false;

  static OutboundPacket text(PacketType type, std::string_view data);
  static OutboundPacket text(std::string whole_packet);  // type digit already included
  static OutboundPacket binary_message(std::string bytes);
};

// Decodes the payload of one text WebSocket frame. nullopt when the frame is empty or its
// first character is not a known packet type.
std::optional<PacketView> decode_text_frame(std::string_view frame) noexcept;

// A binary WebSocket frame is always a binary message.
inline PacketView decode_binary_frame(std::string_view frame) noexcept {
  return PacketView{PacketType::message, true, frame};
}

// Decodes an HTTP long-polling body (POST from the client). Returns false, leaving `out` in an
// unspecified state, when the body is empty or any packet in it is malformed (unknown type,
// bad base64): the Node server then closes the session with a parse error.
bool decode_payload(std::string_view body, std::vector<Packet>& out);

// Appends one packet to a polling payload being built in `out`, with the separator first
// when `out` is not empty. Binary packets become "b" + base64.
void append_to_payload(const OutboundPacket& packet, std::string& out);

// The handshake packet's JSON: {"sid":..,"upgrades":[..],"pingInterval":..,"pingTimeout":..,
// "maxPayload":..}, in that order and with no other keys.
std::string encode_open_packet(std::string_view sid, bool can_upgrade, uint32_t ping_interval_ms,
                               uint32_t ping_timeout_ms, uint64_t max_payload);

}  // namespace sio::engineio
