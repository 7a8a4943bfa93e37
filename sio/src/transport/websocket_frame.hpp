// WebSocket framing (RFC 6455) for the server side: pure code, no I/O. The parser reads what
// clients send (masked frames, fragmented messages, control frames) out of a byte buffer and
// unmasks it in place; the writer produces the headers of unmasked server frames. The HTTP
// upgrade itself is Boost.Beast's; after it, the connection's bytes go through this, so that
// many queued messages leave in one system call and an idle connection holds no buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sio::transport::ws {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// Close codes the server sends.
inline constexpr std::uint16_t close_normal = 1000;
inline constexpr std::uint16_t close_protocol_error = 1002;
inline constexpr std::uint16_t close_invalid_payload = 1007;  // text that is not UTF-8
inline constexpr std::uint16_t close_too_big = 1009;
inline constexpr std::uint16_t close_internal_error = 1011;  // the server failed

inline constexpr std::size_t max_header_size = 10;

// Writes the header of an unmasked, final frame carrying `payload_size` bytes into `out`
// (max_header_size bytes available); returns its length.
std::size_t write_header(std::uint8_t* out, Opcode opcode, std::uint64_t payload_size) noexcept;

// A whole server frame (header + payload), for control frames and tests.
std::string make_frame(Opcode opcode, std::string_view payload);
std::string make_close_frame(std::uint16_t code);

// What the parser found.
struct Event {
  enum class Kind { none, message, ping, pong, close } kind = Kind::none;
  bool binary = false;       // message: a binary message (else text, valid UTF-8)
  std::string_view payload;  // message / ping / pong data; close: the reason
  std::uint16_t close_code = 0;  // close: 0 when the peer sent none
};

class FrameParser {
 public:
  enum class Status {
    need_more,  // no complete frame yet: keep the unread bytes and feed more
    event,      // a frame was consumed and `event` set (kind none for a fragment of a message
                // not yet complete); call again for the next one
    error,      // the peer broke the protocol: close with error_code()
  };

  explicit FrameParser(std::uint64_t max_message_size) : max_message_(max_message_size) {}

  // Parses the next frame from `data` (the bytes received and not yet consumed; the parser
  // unmasks them in place). Sets `consumed` to the bytes used up. A message split over
  // fragments is assembled inside the parser; `event.payload` then points into the parser
  // and stays valid until the next call. Otherwise it points into `data`.
  Status next(char* data, std::size_t size, std::size_t& consumed, Event& event);

  std::uint16_t error_code() const { return error_code_; }
  // Bytes held for a fragmented message (memory accounting).
  std::size_t buffered() const { return fragments_.capacity(); }

 private:
  Status fail(std::uint16_t code) {
    error_code_ = code;
    return Status::error;
  }

  std::uint64_t max_message_;
  std::string fragments_;   // the fragments so far of a message not yet final
  bool in_message_ = false;
  bool message_binary_ = false;
  std::uint16_t error_code_ = 0;
};

}  // namespace sio::transport::ws
