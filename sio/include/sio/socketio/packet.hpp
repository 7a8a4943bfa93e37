// Socket.IO protocol v5 packets: the codec. Pure code, no I/O.
//
// Wire form of a packet (https://github.com/socketio/socket.io-protocol):
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
// e.g. `2["message",1]`, `42/chat,["x"]` after Engine.IO's "4", `51-["up",{"_placeholder":true,
// "num":0}]`, `3/admin,12["ok"]`. Binary attachments follow as separate Engine.IO messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace simdjson::dom {
class parser;
}

namespace sio::socketio {

enum class PacketType : char {
  connect = '0',
  disconnect = '1',
  event = '2',
  ack = '3',
  connect_error = '4',
  binary_event = '5',
  binary_ack = '6',
};

inline bool is_binary(PacketType t) { return t == PacketType::binary_event || t == PacketType::binary_ack; }

// A decoded packet viewing the text it was decoded from (and the decoder for `args`).
struct PacketView {
  PacketType type = PacketType::event;
  std::string_view nsp = "/";
  std::optional<uint64_t> id;  // acknowledgement id
  uint32_t attachments = 0;    // binary packets: how many binary messages follow
  std::string_view payload;    // the raw JSON payload, empty when absent
  // EVENT / BINARY_EVENT: the event name, unescaped (a numeric name in its JSON form).
  std::string event;
  // EVENT: the raw JSON of each argument after the name; ACK: of each element.
  std::vector<std::string_view> args;
};

enum class DecodeError {
  none = 0,
  empty,               // no bytes
  unknown_type,        // first character is not 0..6
  bad_attachments,     // binary packet without a valid "<n>-" count
  too_many_attachments,
  bad_namespace,       // namespace too long
  bad_id,              // ack id out of range
  bad_json,            // payload is not valid JSON (or not valid UTF-8)
  too_deep,            // payload nests deeper than the limit
  invalid_payload,     // valid JSON of the wrong shape for the packet type
  bad_placeholder,     // binary placeholder pointing at no attachment
};
const char* to_string(DecodeError error) noexcept;

struct DecodeLimits {
  uint32_t max_attachments = 10;    // per binary packet
  uint32_t max_depth = 32;          // JSON nesting
  uint32_t max_namespace_length = 256;
};

// Decodes and validates text packets as the Node server's socket.io-parser (4.2.7) does, only
// stricter where packet.cpp says:
// CONNECT carries nothing or an object; DISCONNECT nothing; CONNECT_ERROR a string or an
// object; EVENT a non-empty array whose first element is a number or a string that is not a
// reserved event name; ACK an array. Keeps a JSON parser to reuse across packets, so one
// decoder belongs to one thread.
class PacketDecoder {
 public:
  explicit PacketDecoder(DecodeLimits limits = {});
  ~PacketDecoder();
  PacketDecoder(const PacketDecoder&) = delete;
  PacketDecoder& operator=(const PacketDecoder&) = delete;

  // On success fills `out` (views into `text`) and returns DecodeError::none.
  DecodeError decode(std::string_view text, PacketView& out);

 private:
  DecodeLimits limits_;
  simdjson::dom::parser* parser_;
};

// Encodes a packet whose payload is already JSON text (may be empty).
struct OutPacket {
  PacketType type = PacketType::event;
  std::string_view nsp = "/";
  std::optional<uint64_t> id;
  uint32_t attachments = 0;
  std::string_view payload;
};
void encode(const OutPacket& packet, std::string& out);

// Appends the header part only: type, "<n>-" for binary, "<nsp>," unless "/", ack id.
void append_header(PacketType type, std::string_view nsp, std::optional<uint64_t> id,
                   uint32_t attachments, std::string& out);

// If `arg` (raw JSON of one argument) is a binary placeholder object {"_placeholder":true,
// "num":N} with N a whole number in uint32_t range, returns N. Key order, whitespace and other
// keys do not matter, as in Node's reconstruction.
std::optional<uint32_t> placeholder_index(std::string_view arg);

}  // namespace sio::socketio
