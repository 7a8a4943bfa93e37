#include "transport/websocket_frame.hpp"

#include <cstring>

#include <simdjson.h>

namespace sio::transport::ws {

namespace {

bool valid_utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

bool is_control(std::uint8_t opcode) { return (opcode & 0x8) != 0; }

// Close codes a peer may send (RFC 6455 7.4).
bool valid_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

void unmask(char* data, std::size_t size, const std::uint8_t key[4]) {
  // Four bytes at a time where it can; the key repeats every four bytes.
  std::uint32_t key32;
  std::memcpy(&key32, key, 4);
  std::size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    std::uint32_t word;
    std::memcpy(&word, data + i, 4);
    word ^= key32;
    std::memcpy(data + i, &word, 4);
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ key[i % 4]);
}

}  // namespace

std::size_t write_header(std::uint8_t* out, Opcode opcode, std::uint64_t size) noexcept {
  out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode));
  if (size < 126) {
    out[1] = static_cast<std::uint8_t>(size);
    return 2;
  }
  if (size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(size >> 8);
    out[3] = static_cast<std::uint8_t>(size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(size >> (56 - 8 * i));
  return 10;
}

std::string make_frame(Opcode opcode, std::string_view payload) {
  std::uint8_t header[max_header_size];
  std::size_t n = write_header(header, opcode, payload.size());
  std::string frame(reinterpret_cast<const char*>(header), n);
  frame.append(payload);
  return frame;
}

std::string make_close_frame(std::uint16_t code) {
  const char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return make_frame(Opcode::close, std::string_view(payload, 2));
}

FrameParser::Status FrameParser::next(char* data, std::size_t size, std::size_t& consumed, Event& event) {
  consumed = 0;
  event = Event{};
  if (!in_message_ && !fragments_.empty()) {
    // The assembled message was handed out by the previous call and is done with.
    fragments_.clear();
    if (fragments_.capacity() > 64 * 1024) fragments_.shrink_to_fit();
  }
  if (size < 2) return Status::need_more;
  auto b0 = static_cast<std::uint8_t>(data[0]);
  auto b1 = static_cast<std::uint8_t>(data[1]);
  bool fin = (b0 & 0x80) != 0;
  std::uint8_t opcode = b0 & 0x0F;
  if (b0 & 0x70) return fail(close_protocol_error);  // no extension was negotiated
  if ((b1 & 0x80) == 0) return fail(close_protocol_error);  // clients must mask
  bool control = is_control(opcode);
  if (opcode > 0xA || (opcode > 0x2 && opcode < 0x8)) return fail(close_protocol_error);

  std::uint64_t length = b1 & 0x7F;
  std::size_t header = 2;
  if (length == 126) {
    if (size < 4) return Status::need_more;
    length = (std::uint64_t{static_cast<std::uint8_t>(data[2])} << 8) | static_cast<std::uint8_t>(data[3]);
    if (length < 126) return fail(close_protocol_error);  // not the shortest form
    header = 4;
  } else if (length == 127) {
    if (size < 10) return Status::need_more;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | static_cast<std::uint8_t>(data[2 + i]);
    if (length >> 63) return fail(close_protocol_error);
    if (length <= 0xFFFF) return fail(close_protocol_error);
    header = 10;
  }
  if (control && (!fin || length > 125)) return fail(close_protocol_error);
  // Refuse an oversized message as soon as its header says so, before buffering it.
  std::uint64_t so_far = in_message_ && !control ? fragments_.size() : 0;
  if (!control && length + so_far > max_message_) return fail(close_too_big);

  if (size < header + 4) return Status::need_more;
  std::uint8_t key[4];
  std::memcpy(key, data + header, 4);
  header += 4;
  if (size - header < length) return Status::need_more;

  char* payload = data + header;
  auto n = static_cast<std::size_t>(length);
  unmask(payload, n, key);
  consumed = header + n;
  std::string_view body(payload, n);

  switch (static_cast<Opcode>(opcode)) {
    case Opcode::ping:
      event.kind = Event::Kind::ping;
      event.payload = body;
      return Status::event;
    case Opcode::pong:
      event.kind = Event::Kind::pong;
      event.payload = body;
      return Status::event;
    case Opcode::close: {
      event.kind = Event::Kind::close;
      if (n == 1) return fail(close_protocol_error);
      if (n >= 2) {
        event.close_code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                                      static_cast<std::uint8_t>(payload[1]));
        if (!valid_close_code(event.close_code)) return fail(close_protocol_error);
        event.payload = body.substr(2);
        if (!valid_utf8(event.payload)) return fail(close_invalid_payload);
      }
      return Status::event;
    }
    case Opcode::continuation:
      if (!in_message_) return fail(close_protocol_error);
      fragments_.append(body);
      if (!fin) return Status::event;  // nothing to report yet; call again
      in_message_ = false;
      event.kind = Event::Kind::message;
      event.binary = message_binary_;
      event.payload = fragments_;
      break;
    case Opcode::text:
    case Opcode::binary:
      if (in_message_) return fail(close_protocol_error);  // a new message inside a fragmented one
      if (!fin) {
        in_message_ = true;
        message_binary_ = opcode == static_cast<std::uint8_t>(Opcode::binary);
        fragments_.assign(body);
        return Status::event;
      }
      event.kind = Event::Kind::message;
      event.binary = opcode == static_cast<std::uint8_t>(Opcode::binary);
      event.payload = body;
      break;
  }
  if (!event.binary && !valid_utf8(event.payload)) return fail(close_invalid_payload);
  return Status::event;
}

}  // namespace sio::transport::ws
