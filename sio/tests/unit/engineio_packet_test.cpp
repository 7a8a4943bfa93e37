// Tests for sio/engineio/packet.hpp, using the wire examples of the Engine.IO v4 protocol
// document (https://github.com/socketio/engine.io-protocol).
#include "sio/engineio/packet.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sio::engineio {
namespace {

using namespace std::string_literals;

TEST(EngineioTextFrame, DecodesEveryPacketTypeOfTheProtocolDocument) {
  struct Case {
    std::string_view frame;
    PacketType type;
    std::string_view data;
  };
  const Case cases[] = {
      {R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})",
       PacketType::open,
       R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})"},
      {"1", PacketType::close, ""},
      {"2", PacketType::ping, ""},
      {"3", PacketType::pong, ""},
      {"2probe", PacketType::ping, "probe"},
      {"3probe", PacketType::pong, "probe"},
      {"4hello", PacketType::message, "hello"},
      {"4\xe2\x82\xac", PacketType::message, "\xe2\x82\xac"},
      {"5", PacketType::upgrade, ""},
      {"6", PacketType::noop, ""},
      {"42[\"message\",1]", PacketType::message, "2[\"message\",1]"},
  };
  for (const auto& c : cases) {
    const auto packet = decode_text_frame(c.frame);
    ASSERT_TRUE(packet.has_value()) << c.frame;
    EXPECT_EQ(packet->type, c.type) << c.frame;
    EXPECT_FALSE(packet->binary);
    EXPECT_EQ(packet->data, c.data);
    EXPECT_EQ(packet->data.data(), c.frame.data() + 1);  // a view, no copy
  }
}

TEST(EngineioTextFrame, RejectsEmptyAndUnknownTypes) {
  EXPECT_FALSE(decode_text_frame(""));
  EXPECT_FALSE(decode_text_frame("7"));
  EXPECT_FALSE(decode_text_frame("9hello"));
  EXPECT_FALSE(decode_text_frame("/"));
  EXPECT_FALSE(decode_text_frame("hello"));
  EXPECT_FALSE(decode_text_frame("bAQIDBA=="));  // base64 only belongs to polling payloads
  EXPECT_FALSE(decode_text_frame(" 4hello"));
  EXPECT_FALSE(decode_text_frame("\x00"s));
}

TEST(EngineioBinaryFrame, IsAlwaysABinaryMessage) {
  const std::string bytes = "\x01\x02\x03\x04"s;
  const PacketView packet = decode_binary_frame(bytes);
  EXPECT_EQ(packet.type, PacketType::message);
  EXPECT_TRUE(packet.binary);
  EXPECT_EQ(packet.data, bytes);
}

TEST(EngineioPayload, DecodesTheProtocolDocumentExample) {
  std::vector<Packet> packets;
  ASSERT_TRUE(decode_payload("4hello\x1e" "4\xe2\x82\xac\x1e" "bAQIDBA==", packets));
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_EQ(packets[0].type, PacketType::message);
  EXPECT_FALSE(packets[0].binary);
  EXPECT_EQ(packets[0].data, "hello");
  EXPECT_EQ(packets[1].type, PacketType::message);
  EXPECT_FALSE(packets[1].binary);
  EXPECT_EQ(packets[1].data, "\xe2\x82\xac");
  EXPECT_EQ(packets[2].type, PacketType::message);
  EXPECT_TRUE(packets[2].binary);
  EXPECT_EQ(packets[2].data, "\x01\x02\x03\x04"s);
}

TEST(EngineioPayload, DecodesSinglePacketsOfEveryType) {
  std::vector<Packet> packets;
  for (char type = '0'; type <= '6'; ++type) {
    ASSERT_TRUE(decode_payload(std::string(1, type) + "x", packets)) << type;
    ASSERT_EQ(packets.size(), 1u);
    EXPECT_EQ(packets[0].type, static_cast<PacketType>(type));
    EXPECT_EQ(packets[0].data, "x");
  }
  ASSERT_TRUE(decode_payload("2", packets));
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].type, PacketType::ping);
  EXPECT_EQ(packets[0].data, "");
}

TEST(EngineioPayload, DecodesAnEmptyBinaryMessage) {
  std::vector<Packet> packets;
  ASSERT_TRUE(decode_payload("b", packets));
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_TRUE(packets[0].binary);
  EXPECT_EQ(packets[0].data, "");
}

TEST(EngineioPayload, RejectsMalformedBodies) {
  std::vector<Packet> packets;
  EXPECT_FALSE(decode_payload("", packets));
  EXPECT_FALSE(decode_payload("\x1e", packets));
  EXPECT_FALSE(decode_payload("4hello\x1e", packets));        // trailing separator
  EXPECT_FALSE(decode_payload("\x1e" "4hello", packets));     // leading separator
  EXPECT_FALSE(decode_payload("4a\x1e\x1e" "4b", packets));   // empty packet in the middle
  EXPECT_FALSE(decode_payload("7hello", packets));            // unknown type
  EXPECT_FALSE(decode_payload("4a\x1ehello", packets));
  EXPECT_FALSE(decode_payload("bAQIDBA", packets));           // base64 without padding
  EXPECT_FALSE(decode_payload("bAQI DBA=", packets));
  EXPECT_FALSE(decode_payload("4a\x1e" "bA=QI", packets));
  EXPECT_FALSE(decode_payload("B", packets));
}

TEST(EngineioPayload, ReusesTheOutputVector) {
  std::vector<Packet> packets;
  ASSERT_TRUE(decode_payload("4one\x1e" "4two\x1e" "4three", packets));
  ASSERT_EQ(packets.size(), 3u);
  ASSERT_TRUE(decode_payload("bAQIDBA==\x1e" "2", packets));
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_TRUE(packets[0].binary);
  EXPECT_EQ(packets[0].data, "\x01\x02\x03\x04"s);
  EXPECT_FALSE(packets[1].binary);
  EXPECT_EQ(packets[1].type, PacketType::ping);
  EXPECT_EQ(packets[1].data, "");
}

TEST(EngineioOutbound, BuildsTextAndBinaryPackets) {
  const auto message = OutboundPacket::text(PacketType::message, "hello");
  EXPECT_FALSE(message.binary);
  EXPECT_EQ(*message.wire, "4hello");
  const auto pong = OutboundPacket::text(PacketType::pong, "probe");
  EXPECT_EQ(*pong.wire, "3probe");
  const auto whole = OutboundPacket::text("42[\"x\"]");
  EXPECT_FALSE(whole.binary);
  EXPECT_EQ(*whole.wire, "42[\"x\"]");
  const auto binary = OutboundPacket::binary_message("\x01\x02\x03\x04"s);
  EXPECT_TRUE(binary.binary);
  EXPECT_EQ(*binary.wire, "\x01\x02\x03\x04"s);
}

TEST(EngineioOutbound, BuildsTheProtocolDocumentPayload) {
  std::string body;
  append_to_payload(OutboundPacket::text(PacketType::message, "hello"), body);
  EXPECT_EQ(body, "4hello");
  append_to_payload(OutboundPacket::text(PacketType::message, "\xe2\x82\xac"), body);
  append_to_payload(OutboundPacket::binary_message("\x01\x02\x03\x04"s), body);
  EXPECT_EQ(body, "4hello\x1e" "4\xe2\x82\xac\x1e" "bAQIDBA==");
}

TEST(EngineioOutbound, PayloadRoundTrips) {
  const std::vector<OutboundPacket> sent = {
      OutboundPacket::text(PacketType::ping, ""),
      OutboundPacket::text(PacketType::message, "2[\"a\",{\"b\":1}]"),
      OutboundPacket::binary_message(std::string("\x00\xff\x1e\x34", 4)),
      OutboundPacket::binary_message(""),
      OutboundPacket::text(PacketType::noop, ""),
  };
  std::string body;
  for (const auto& p : sent) append_to_payload(p, body);
  std::vector<Packet> received;
  ASSERT_TRUE(decode_payload(body, received));
  ASSERT_EQ(received.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(received[i].binary, sent[i].binary) << i;
    if (sent[i].binary) {
      EXPECT_EQ(received[i].type, PacketType::message);
      EXPECT_EQ(received[i].data, *sent[i].wire);
    } else {
      EXPECT_EQ(static_cast<char>(received[i].type), (*sent[i].wire)[0]);
      EXPECT_EQ(received[i].data, sent[i].wire->substr(1));
    }
  }
}

TEST(EngineioOpenPacket, MatchesTheNodeServerExactly) {
  EXPECT_EQ(encode_open_packet("lv_VI97HAXpY6yYWAAAC", true, 25000, 20000, 1000000),
            R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
  EXPECT_EQ(encode_open_packet("abc", false, 300, 200, 100000000),
            R"({"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":100000000})");
}

TEST(EngineioOpenPacket, EscapesTheSid) {
  EXPECT_EQ(encode_open_packet("a\"b\\c\n", false, 1, 2, 3),
            R"({"sid":"a\"b\\c\n","upgrades":[],"pingInterval":1,"pingTimeout":2,"maxPayload":3})");
}

}  // namespace
}  // namespace sio::engineio
