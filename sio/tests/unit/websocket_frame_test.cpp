// WebSocket framing: server frame headers, and the parser of client frames (masking,
// fragmentation, control frames, limits, UTF-8), byte by byte as a socket may deliver them.
#include <gtest/gtest.h>

#include <vector>

#include "transport/websocket_frame.hpp"

using namespace sio::transport::ws;

namespace {

// A client frame: masked with `key`.
std::string client_frame(std::uint8_t first_byte, std::string_view payload, std::uint32_t key = 0x37FA213D) {
  std::string f;
  f += static_cast<char>(first_byte);
  std::size_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(0x80 | n);
  } else if (n <= 0xFFFF) {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xFF);
  } else {
    f += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF);
  }
  char k[4] = {static_cast<char>(key >> 24), static_cast<char>(key >> 16), static_cast<char>(key >> 8), static_cast<char>(key)};
  f.append(k, 4);
  for (std::size_t i = 0; i < n; ++i) f += static_cast<char>(payload[i] ^ k[i % 4]);
  return f;
}

struct Parsed {
  std::vector<std::pair<std::string, bool>> messages;  // payload, binary
  std::vector<Event::Kind> controls;
  std::uint16_t close_code = 0;
  std::uint16_t error = 0;
};

// Feeds `bytes` in chunks of `chunk` bytes, keeping what is unconsumed, as a channel does.
Parsed parse(std::string bytes, std::size_t chunk = 1 << 20, std::uint64_t max = 1 << 20) {
  FrameParser parser(max);
  Parsed out;
  std::string pending;
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    pending += bytes.substr(at, chunk);
    std::size_t offset = 0;
    for (;;) {
      std::size_t used = 0;
      Event e;
      auto status = parser.next(pending.data() + offset, pending.size() - offset, used, e);
      if (status == FrameParser::Status::need_more) break;
      if (status == FrameParser::Status::error) {
        out.error = parser.error_code();
        return out;
      }
      offset += used;
      if (e.kind == Event::Kind::message) out.messages.emplace_back(std::string(e.payload), e.binary);
      else if (e.kind != Event::Kind::none) out.controls.push_back(e.kind);
      if (e.kind == Event::Kind::close) out.close_code = e.close_code;
    }
    pending.erase(0, offset);
  }
  return out;
}

}  // namespace

TEST(WebSocketFrame, ServerHeadersUseTheShortestLengthForm) {
  std::uint8_t h[max_header_size];
  EXPECT_EQ(write_header(h, Opcode::text, 5), 2u);
  EXPECT_EQ(h[0], 0x81);
  EXPECT_EQ(h[1], 5);
  EXPECT_EQ(write_header(h, Opcode::binary, 125), 2u);
  EXPECT_EQ(write_header(h, Opcode::binary, 126), 4u);
  EXPECT_EQ(h[0], 0x82);
  EXPECT_EQ(h[1], 126);
  EXPECT_EQ(h[2], 0);
  EXPECT_EQ(h[3], 126);
  EXPECT_EQ(write_header(h, Opcode::text, 65535), 4u);
  EXPECT_EQ(write_header(h, Opcode::text, 65536), 10u);
  EXPECT_EQ(h[1], 127);
  EXPECT_EQ(h[7], 1);  // 0x0000000000010000
  EXPECT_EQ(make_close_frame(1000), std::string("\x88\x02\x03\xE8", 4));
  EXPECT_EQ(make_frame(Opcode::text, "Hello"), std::string("\x81\x05Hello", 7));
}

TEST(WebSocketFrame, ParsesTheRfcExampleAndUnmasks) {
  // RFC 6455 5.7: a single-frame masked text message "Hello".
  const std::string rfc("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
  auto p = parse(rfc);
  ASSERT_EQ(p.error, 0);
  ASSERT_EQ(p.messages.size(), 1u);
  EXPECT_EQ(p.messages[0].first, "Hello");
  EXPECT_FALSE(p.messages[0].second);
}

TEST(WebSocketFrame, SurvivesAnySplitOfTheBytes) {
  std::string big(70000, 'x');
  std::string stream = client_frame(0x81, "4hello") + client_frame(0x82, std::string("\0\1\2", 3)) +
                       client_frame(0x81, std::string(300, 'y')) + client_frame(0x82, big) +
                       client_frame(0x89, "ping!") + client_frame(0x81, "");
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 100u, 4096u, 1u << 20}) {
    auto p = parse(stream, chunk);
    ASSERT_EQ(p.error, 0) << chunk;
    ASSERT_EQ(p.messages.size(), 5u) << chunk;
    EXPECT_EQ(p.messages[0].first, "4hello");
    EXPECT_EQ(p.messages[1].first, std::string("\0\1\2", 3));
    EXPECT_TRUE(p.messages[1].second);
    EXPECT_EQ(p.messages[2].first.size(), 300u);
    EXPECT_EQ(p.messages[3].first, big);
    EXPECT_EQ(p.messages[4].first, "");
    EXPECT_EQ(p.controls, std::vector<Event::Kind>{Event::Kind::ping});
  }
}

TEST(WebSocketFrame, AssemblesFragmentsWithControlFramesBetween) {
  std::string stream = client_frame(0x01, "Hel") + client_frame(0x89, "") + client_frame(0x00, "lo ") +
                       client_frame(0x80, "world");
  for (std::size_t chunk : {1u, 5u, 1u << 20}) {
    auto p = parse(stream, chunk);
    ASSERT_EQ(p.error, 0);
    ASSERT_EQ(p.messages.size(), 1u);
    EXPECT_EQ(p.messages[0].first, "Hello world");
    EXPECT_EQ(p.controls.size(), 1u);
  }
}

TEST(WebSocketFrame, CloseFramesCarryTheirCode) {
  auto p = parse(client_frame(0x88, std::string("\x03\xE8" "bye", 5)));
  ASSERT_EQ(p.error, 0);
  EXPECT_EQ(p.close_code, 1000);
  EXPECT_EQ(parse(client_frame(0x88, "")).close_code, 0);  // no code is allowed
  EXPECT_EQ(parse(client_frame(0x88, "x")).error, close_protocol_error);
  EXPECT_EQ(parse(client_frame(0x88, std::string("\x03\xED", 2))).error, close_protocol_error);  // 1005
  EXPECT_EQ(parse(client_frame(0x88, std::string("\x03\xE8\xff", 3))).error, close_invalid_payload);
}

TEST(WebSocketFrame, RefusesWhatBreaksTheProtocol) {
  std::string unmasked("\x81\x02hi", 4);
  EXPECT_EQ(parse(unmasked).error, close_protocol_error);
  EXPECT_EQ(parse(client_frame(0xC1, "hi")).error, close_protocol_error);       // RSV1 without extension
  EXPECT_EQ(parse(client_frame(0x83, "hi")).error, close_protocol_error);       // reserved opcode
  EXPECT_EQ(parse(client_frame(0x8B, "")).error, close_protocol_error);         // reserved control
  EXPECT_EQ(parse(client_frame(0x09, "")).error, close_protocol_error);         // fragmented ping
  EXPECT_EQ(parse(client_frame(0x89, std::string(126, 'p'))).error, close_protocol_error);
  EXPECT_EQ(parse(client_frame(0x80, "orphan")).error, close_protocol_error);   // continuation alone
  EXPECT_EQ(parse(client_frame(0x01, "a") + client_frame(0x81, "b")).error, close_protocol_error);
  EXPECT_EQ(parse(client_frame(0x81, std::string("\xC3\x28", 2))).error, close_invalid_payload);
  // A text message whose UTF-8 is only valid once its fragments are joined.
  auto joined = parse(client_frame(0x01, std::string("\xE2\x82", 2)) + client_frame(0x80, std::string("\xAC", 1)));
  ASSERT_EQ(joined.error, 0);
  EXPECT_EQ(joined.messages[0].first, "\xE2\x82\xAC");
  // A length in a longer form than needed.
  std::string long_form("\x81\xFE\x00\x05\x00\x00\x00\x00hello", 13);
  EXPECT_EQ(parse(long_form).error, close_protocol_error);
}

TEST(WebSocketFrame, RefusesMessagesOverTheLimitFromTheirHeader) {
  EXPECT_EQ(parse(client_frame(0x82, std::string(100, 'a')), 1 << 20, 100).error, 0);
  EXPECT_EQ(parse(client_frame(0x82, std::string(101, 'a')), 1 << 20, 100).error, close_too_big);
  // Fragments adding up past the limit.
  EXPECT_EQ(parse(client_frame(0x02, std::string(60, 'a')) + client_frame(0x80, std::string(60, 'a')), 1 << 20, 100).error,
            close_too_big);
  // The header alone is enough to refuse: the payload need not arrive.
  std::string header_only("\x82\xFF\x00\x00\x00\x01\x00\x00\x00\x00", 10);
  EXPECT_EQ(parse(header_only, 1 << 20, 1000).error, close_too_big);
}
