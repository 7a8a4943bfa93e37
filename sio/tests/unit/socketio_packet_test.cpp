// Tests for sio/socketio/packet.hpp: every wire example of the Socket.IO v5 protocol document
// (https://github.com/socketio/socket.io-protocol), the rules of socket.io-parser 4.2's
// decodeString/isPayloadValid, and the malformed packets a hostile client could send.
#include "sio/socketio/packet.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sio/engineio/packet.hpp"
#include "sio/json.hpp"

namespace sio::socketio {
namespace {

using Args = std::vector<std::string_view>;

// Joins pieces; `"literal" + std::string` trips GCC 12's -Wrestrict false positive at -O2.
std::string cat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (const auto piece : pieces) out.append(piece);
  return out;
}

// All fields spelled out: GCC 12 warns about designated initializers that omit some.
OutPacket out_packet(PacketType type, std::string_view nsp, std::optional<uint64_t> id,
                     uint32_t attachments, std::string_view payload) {
  return OutPacket{type, nsp, id, attachments, payload};
}

class SocketioDecode : public ::testing::Test {
 protected:
  DecodeError decode(std::string_view text) { return decoder_.decode(text, packet_); }

  // Decodes and expects success.
  const PacketView& ok(std::string_view text) {
    const DecodeError error = decode(text);
    EXPECT_EQ(error, DecodeError::none) << text << ": " << to_string(error);
    return packet_;
  }

  PacketDecoder decoder_;
  PacketView packet_;
};

// --- the protocol document's examples ------------------------------------------------------

TEST_F(SocketioDecode, ConnectToTheMainNamespace) {
  const auto& p = ok("0");
  EXPECT_EQ(p.type, PacketType::connect);
  EXPECT_EQ(p.nsp, "/");
  EXPECT_FALSE(p.id);
  EXPECT_EQ(p.payload, "");
}

TEST_F(SocketioDecode, ConnectToACustomNamespace) {
  EXPECT_EQ(ok("0/admin,").nsp, "/admin");
  EXPECT_EQ(ok("0/admin").nsp, "/admin");  // the comma is optional at the end
  const auto& p = ok("0/admin,{\"token\":\"123\"}");
  EXPECT_EQ(p.type, PacketType::connect);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.payload, "{\"token\":\"123\"}");
  EXPECT_EQ(ok("0{\"token\":\"123\"}").payload, "{\"token\":\"123\"}");
}

TEST_F(SocketioDecode, ServerConnectAnswers) {
  EXPECT_EQ(ok("0{\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}").payload, "{\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}");
  const auto& p = ok("0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}");
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.payload, "{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}");
}

TEST_F(SocketioDecode, Disconnect) {
  EXPECT_EQ(ok("1").type, PacketType::disconnect);
  const auto& p = ok("1/admin,");
  EXPECT_EQ(p.type, PacketType::disconnect);
  EXPECT_EQ(p.nsp, "/admin");
}

TEST_F(SocketioDecode, ConnectError) {
  const auto& p = ok("4{\"message\":\"Not authorized\"}");
  EXPECT_EQ(p.type, PacketType::connect_error);
  EXPECT_FALSE(p.id);
  EXPECT_EQ(p.payload, "{\"message\":\"Not authorized\"}");
  EXPECT_EQ(ok("4/admin,\"Not authorized\"").payload, "\"Not authorized\"");
  EXPECT_EQ(ok("4/admin,").nsp, "/admin");
}

TEST_F(SocketioDecode, Event) {
  const auto& p = ok("2[\"hello\",1]");
  EXPECT_EQ(p.type, PacketType::event);
  EXPECT_EQ(p.nsp, "/");
  EXPECT_FALSE(p.id);
  EXPECT_EQ(p.event, "hello");
  EXPECT_EQ(p.args, Args{"1"});
  EXPECT_EQ(p.payload, "[\"hello\",1]");
}

TEST_F(SocketioDecode, EventInANamespace) {
  const auto& p = ok("2/admin,[\"project:delete\",123]");
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.event, "project:delete");
  EXPECT_EQ(p.args, Args{"123"});
}

TEST_F(SocketioDecode, EventWithAnAckId) {
  const auto& p = ok("212[\"hello\"]");  // id 12, not namespace or attachment count
  EXPECT_EQ(p.type, PacketType::event);
  EXPECT_EQ(p.id, 12u);
  EXPECT_EQ(p.event, "hello");
  EXPECT_TRUE(p.args.empty());
  const auto& q = ok("2/admin,12[\"project:delete\",123]");
  EXPECT_EQ(q.nsp, "/admin");
  EXPECT_EQ(q.id, 12u);
  EXPECT_EQ(q.args, Args{"123"});
}

TEST_F(SocketioDecode, Ack) {
  const auto& p = ok("3/admin,13[\"bar\"]");
  EXPECT_EQ(p.type, PacketType::ack);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.id, 13u);
  EXPECT_TRUE(p.event.empty());
  EXPECT_EQ(p.args, Args{"\"bar\""});
  EXPECT_TRUE(ok("3/admin,12[]").args.empty());
  EXPECT_EQ(ok("31[\"a\",{\"b\":2},3]").args, (Args{"\"a\"", "{\"b\":2}", "3"}));
}

TEST_F(SocketioDecode, BinaryEvent) {
  const auto& p = ok("51-[\"baz\",{\"_placeholder\":true,\"num\":0}]");
  EXPECT_EQ(p.type, PacketType::binary_event);
  EXPECT_EQ(p.attachments, 1u);
  EXPECT_EQ(p.event, "baz");
  ASSERT_EQ(p.args.size(), 1u);
  EXPECT_EQ(placeholder_index(p.args[0]), 0u);
}

TEST_F(SocketioDecode, BinaryEventInANamespaceWithAnAckId) {
  const auto& p =
      ok("52-/admin,15[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
  EXPECT_EQ(p.attachments, 2u);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.id, 15u);
  ASSERT_EQ(p.args.size(), 2u);
  EXPECT_EQ(placeholder_index(p.args[0]), 0u);
  EXPECT_EQ(placeholder_index(p.args[1]), 1u);
}

TEST_F(SocketioDecode, BinaryAck) {
  const auto& p = ok("61-/admin,15[{\"_placeholder\":true,\"num\":0}]");
  EXPECT_EQ(p.type, PacketType::binary_ack);
  EXPECT_EQ(p.attachments, 1u);
  EXPECT_EQ(p.id, 15u);
  EXPECT_EQ(p.args, Args{"{\"_placeholder\":true,\"num\":0}"});
}

// The same examples as they arrive inside Engine.IO message frames ("4" + packet).
TEST_F(SocketioDecode, PacketsInsideEngineioFrames) {
  struct Case {
    std::string_view frame;
    PacketType type;
    std::string_view nsp;
    std::optional<uint64_t> id;
  };
  const Case cases[] = {
      {"40", PacketType::connect, "/", std::nullopt},
      {"40/custom", PacketType::connect, "/custom", std::nullopt},
      {"40/custom,", PacketType::connect, "/custom", std::nullopt},
      {"40/admin,{\"token\":\"123\"}", PacketType::connect, "/admin", std::nullopt},
      {"41/admin,", PacketType::disconnect, "/admin", std::nullopt},
      {"42[\"hello\",1]", PacketType::event, "/", std::nullopt},
      {"4212[\"hello\"]", PacketType::event, "/", 12},
      {"43/admin,13[\"ok\"]", PacketType::ack, "/admin", 13},
      {"44{\"message\":\"Not authorized\"}", PacketType::connect_error, "/", std::nullopt},
      {"451-[\"hello\",{\"_placeholder\":true,\"num\":0}]", PacketType::binary_event, "/", std::nullopt},
  };
  for (const auto& c : cases) {
    const auto frame = engineio::decode_text_frame(c.frame);
    ASSERT_TRUE(frame) << c.frame;
    ASSERT_EQ(frame->type, engineio::PacketType::message);
    const auto& p = ok(frame->data);
    EXPECT_EQ(p.type, c.type) << c.frame;
    EXPECT_EQ(p.nsp, c.nsp) << c.frame;
    EXPECT_EQ(p.id, c.id) << c.frame;
  }
}

// Without the Engine.IO digit, "44{...}" reads as CONNECT_ERROR with ack id 4, as in Node.
TEST_F(SocketioDecode, DigitsAfterTheTypeAreAnAckId) {
  const auto& p = ok("44{\"message\":\"Not authorized\"}");
  EXPECT_EQ(p.type, PacketType::connect_error);
  EXPECT_EQ(p.id, 4u);
}

// --- what the decoder fills in --------------------------------------------------------------

TEST_F(SocketioDecode, ChatEventKeepsTheArgumentTextExactly) {
  const std::string text =
      R"(42["send_message",{"receiverId":"3f0c8f1e-2a6b-4d55-9c43-9f8f2e4b7a10","content":"Hello, how are you?"}])";
  const auto& p = ok(std::string_view(text).substr(1));
  EXPECT_EQ(p.event, "send_message");
  EXPECT_EQ(p.args, Args{R"({"receiverId":"3f0c8f1e-2a6b-4d55-9c43-9f8f2e4b7a10","content":"Hello, how are you?"})"});
  EXPECT_EQ(ok(R"(2["e",{"z":1,"a":2}, 1.50 ,1e2,-0])").args, (Args{R"({"z":1,"a":2})", "1.50", "1e2", "-0"}));
}

TEST_F(SocketioDecode, ViewsPointIntoTheText) {
  const std::string text = R"(2/chat,7["e",{"a":1}])";
  const auto& p = ok(text);
  EXPECT_EQ(p.nsp.data(), text.data() + 1);
  EXPECT_EQ(p.payload.data(), text.data() + 8);
  ASSERT_EQ(p.args.size(), 1u);
  EXPECT_EQ(p.args[0].data(), text.data() + 13);
}

TEST_F(SocketioDecode, EventNamesAreUnescaped) {
  EXPECT_EQ(ok(R"(2["caf\u00e9 \"x\"\n",1])").event, "caf\xc3\xa9 \"x\"\n");
  EXPECT_EQ(ok(R"(2["\ud83d\ude00"])").event, "\xf0\x9f\x98\x80");
  EXPECT_EQ(ok(R"(2[""])").event, "");
}

TEST_F(SocketioDecode, NumericEventNamesKeepTheirJsonText) {
  const auto& p = ok(R"(2[1,"a"])");
  EXPECT_EQ(p.event, "1");
  EXPECT_EQ(p.args, Args{"\"a\""});
  EXPECT_EQ(ok("2[1.50]").event, "1.50");
  EXPECT_EQ(ok("2[-3e2]").event, "-3e2");
}

TEST_F(SocketioDecode, WhitespaceInsideThePayloadIsJson) {
  const auto& p = ok("2[ \"a\" ,\n 1 ] \r\n");
  EXPECT_EQ(p.event, "a");
  EXPECT_EQ(p.args, Args{"1"});
}

TEST_F(SocketioDecode, ReusedViewIsReset) {
  ok("61-/admin,15[{\"_placeholder\":true,\"num\":0}]");
  const auto& p = ok("2[\"x\"]");
  EXPECT_EQ(p.nsp, "/");
  EXPECT_FALSE(p.id);
  EXPECT_EQ(p.attachments, 0u);
  EXPECT_EQ(p.event, "x");
  EXPECT_TRUE(p.args.empty());
  EXPECT_EQ(decode("abc"), DecodeError::unknown_type);
  EXPECT_TRUE(packet_.event.empty());
  EXPECT_TRUE(packet_.args.empty());
  EXPECT_EQ(packet_.payload, "");
}

TEST_F(SocketioDecode, AckIdLimits) {
  EXPECT_EQ(ok("20[\"a\"]").id, 0u);
  EXPECT_EQ(ok("2007[\"a\"]").id, 7u);
  EXPECT_EQ(ok("29007199254740991[\"a\"]").id, 9007199254740991u);  // Number.MAX_SAFE_INTEGER
  EXPECT_EQ(decode("29007199254740992[\"a\"]"), DecodeError::bad_id);
  EXPECT_EQ(decode("299999999999999999999999999999[\"a\"]"), DecodeError::bad_id);
  EXPECT_EQ(decode("3184467440737095516161[]"), DecodeError::bad_id);  // would wrap uint64
}

TEST_F(SocketioDecode, ConnectAndConnectErrorMayHaveAnAckId) {
  EXPECT_EQ(ok("01").id, 1u);  // Node's parser reads it too
  EXPECT_EQ(ok("0/a,5{}").id, 5u);
}

// --- payload shapes (isPayloadValid) --------------------------------------------------------

TEST_F(SocketioDecode, ConnectTakesNothingOrAnObject) {
  ok("0{}");
  EXPECT_EQ(decode("0\"string\""), DecodeError::invalid_payload);
  EXPECT_EQ(decode("0[]"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("0/admin,[\"a\"]"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("0null"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("0/admin,true"), DecodeError::invalid_payload);
}

TEST_F(SocketioDecode, DisconnectTakesNothing) {
  EXPECT_EQ(decode("1{}"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("1/admin,[]"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("1\"bye\""), DecodeError::invalid_payload);
}

TEST_F(SocketioDecode, ConnectErrorTakesAStringOrAnObject) {
  ok("4\"nope\"");
  ok("4{}");
  EXPECT_EQ(decode("4[]"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("4null"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("4/admin,[\"x\"]"), DecodeError::invalid_payload);
}

TEST_F(SocketioDecode, EventNeedsANonEmptyArrayNamedByAStringOrANumber) {
  EXPECT_EQ(decode("2"), DecodeError::invalid_payload);  // Node lets this through; we do not
  EXPECT_EQ(decode("2/admin,"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("212"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("2[]"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("2{}"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("2\"hello\""), DecodeError::invalid_payload);
  EXPECT_EQ(decode("2[null]"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("2[true,1]"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("2[{}]"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("2[[\"a\"]]"), DecodeError::invalid_payload);
  // Without a comma the namespace swallows the rest, leaving no payload.
  EXPECT_EQ(decode("2/admin[\"a\"]"), DecodeError::invalid_payload);
}

TEST_F(SocketioDecode, EventRefusesReservedNames) {
  for (std::string_view name :
       {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}) {
    const std::string text = cat({"2[\"", name, "\",1]"});
    EXPECT_EQ(decode(text), DecodeError::invalid_payload) << text;
    EXPECT_EQ(decode(cat({"51-", std::string_view(text).substr(1)})), DecodeError::invalid_payload) << text;
  }
  EXPECT_EQ(decode(R"(2["\u0063onnect"])"), DecodeError::invalid_payload);  // escaped
  ok(R"(2["Connect"])");
  ok(R"(2["connecting"])");
  ok(R"(2["message"])");
}

TEST_F(SocketioDecode, AckNeedsAnArray) {
  EXPECT_EQ(decode("3"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("31"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("3/admin,1"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("3{}"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("31\"a\""), DecodeError::invalid_payload);
  EXPECT_EQ(decode("6"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("61-"), DecodeError::invalid_payload);
  EXPECT_EQ(decode("61-{}"), DecodeError::invalid_payload);
}

// --- malformed headers ----------------------------------------------------------------------

TEST_F(SocketioDecode, RejectsEmptyAndUnknownTypes) {
  EXPECT_EQ(decode(""), DecodeError::empty);
  EXPECT_EQ(decode("abc"), DecodeError::unknown_type);
  EXPECT_EQ(decode("7"), DecodeError::unknown_type);
  EXPECT_EQ(decode("9[\"a\"]"), DecodeError::unknown_type);
  EXPECT_EQ(decode("/admin,0"), DecodeError::unknown_type);
  EXPECT_EQ(decode(" 2[\"a\"]"), DecodeError::unknown_type);
  EXPECT_EQ(decode("[\"a\"]"), DecodeError::unknown_type);
}

TEST_F(SocketioDecode, RejectsBadAttachmentCounts) {
  EXPECT_EQ(decode("5"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("5[\"a\"]"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("5-[]"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("5-[\"a\"]"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("5x-[\"a\"]"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("51"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("51[\"a\"]"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("5 1-[\"a\"]"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("5+1-[\"a\"]"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("51/admin,-[\"a\"]"), DecodeError::bad_attachments);
  EXPECT_EQ(decode("61[]"), DecodeError::bad_attachments);
}

TEST_F(SocketioDecode, AttachmentCountsUpToTheLimit) {
  EXPECT_EQ(decode("50-[\"a\"]"), DecodeError::bad_attachments);  // as socket.io-parser 4.2.7
  EXPECT_EQ(decode("600-[]"), DecodeError::bad_attachments);
  EXPECT_EQ(ok("51-[\"a\"]").attachments, 1u);
  EXPECT_EQ(ok("510-[\"a\"]").attachments, 10u);
  EXPECT_EQ(ok("5010-[\"a\"]").attachments, 10u);
  EXPECT_EQ(decode("511-[\"a\"]"), DecodeError::too_many_attachments);
  EXPECT_EQ(decode("599999999999999999999999999-[\"a\"]"), DecodeError::too_many_attachments);
  EXPECT_EQ(decode("64294967297-[]"), DecodeError::too_many_attachments);  // 2^32 + 1
}

TEST_F(SocketioDecode, RejectsLongNamespaces) {
  const std::string at_limit = cat({"/", std::string(255, 'n')});
  EXPECT_EQ(ok(cat({"0", at_limit, ","})).nsp, at_limit);
  EXPECT_EQ(decode(cat({"0/", std::string(256, 'n'), ","})), DecodeError::bad_namespace);
  EXPECT_EQ(decode(cat({"2/", std::string(100000, 'n')})), DecodeError::bad_namespace);
}

TEST_F(SocketioDecode, NamespacesAreWhateverComesBeforeTheComma) {
  EXPECT_EQ(ok("0/").nsp, "/");
  EXPECT_EQ(ok("0/,").nsp, "/");
  EXPECT_EQ(ok("0/a b/c?d=1,").nsp, "/a b/c?d=1");
  EXPECT_EQ(ok("2/a,[\"x\"]").nsp, "/a");
  EXPECT_EQ(decode("2/a,,[\"x\"]"), DecodeError::bad_json);  // the second comma is payload
}

// --- malformed payloads ---------------------------------------------------------------------

TEST_F(SocketioDecode, RejectsInvalidJson) {
  EXPECT_EQ(decode("2abc[]"), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"a\""), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"a\"]x"), DecodeError::bad_json);  // trailing garbage
  EXPECT_EQ(decode("2[\"a\"][]"), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"a\",]"), DecodeError::bad_json);
  EXPECT_EQ(decode("2['a']"), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"a\",NaN]"), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"a\",01]"), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"a\",{a:1}]"), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"a\nb\"]"), DecodeError::bad_json);  // raw control character
  EXPECT_EQ(decode("2 "), DecodeError::bad_json);
  EXPECT_EQ(decode("0/admin, "), DecodeError::bad_json);
  EXPECT_EQ(decode(std::string("2[\"a\"]\0", 7)), DecodeError::bad_json);
}

TEST_F(SocketioDecode, RejectsInvalidUtf8) {
  EXPECT_EQ(decode("2[\"\xff\"]"), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"a\",\"\xc3\"]"), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"\xed\xa0\x80\"]"), DecodeError::bad_json);  // encoded surrogate
  EXPECT_EQ(decode("2[\"\xc0\xaf\"]"), DecodeError::bad_json);      // overlong
}

// JSON.parse takes these and simdjson alone does not; a JS client can send both.
TEST_F(SocketioDecode, AcceptsLoneSurrogateEscapes) {
  // JSON.stringify("\ud83d") from a message cut in the middle of an emoji.
  EXPECT_EQ(ok(R"(2["a","\ud83d"])").args, Args{R"("\ud83d")"});
  EXPECT_EQ(ok(R"(2["\ud83d"])").event, "\xef\xbf\xbd");
  EXPECT_EQ(ok(R"(2["x\uDC00y\ud800\u0041"])").event, "x\xef\xbf\xbdy\xef\xbf\xbd" "A");
  EXPECT_EQ(ok(R"(2["\ud83d\ude00","\udc00"])").event, "\xf0\x9f\x98\x80");
  EXPECT_EQ(ok(R"(4{"message":"\ud800"})").payload, R"({"message":"\ud800"})");
  EXPECT_EQ(decode(R"(2["a","\ud800)"), DecodeError::bad_json);
  EXPECT_EQ(decode(R"(2["a","\ud800",])"), DecodeError::bad_json);
  EXPECT_EQ(decode(R"(2["a","\ud80"])"), DecodeError::bad_json);
  EXPECT_EQ(decode(R"(2["connect\ud800"])"), DecodeError::none);
}

TEST_F(SocketioDecode, AcceptsIntegersBeyond64Bits) {
  // JSON.stringify(2e20) is "200000000000000000000".
  EXPECT_EQ(ok("2[\"a\",200000000000000000000,-9223372036854775809]").args,
            (Args{"200000000000000000000", "-9223372036854775809"}));
  EXPECT_EQ(ok("2[200000000000000000000]").event, "200000000000000000000");
  EXPECT_EQ(ok("2[\"a\",18446744073709551615,-9223372036854775808]").args.size(), 2u);
  EXPECT_EQ(decode("51-[\"a\",{\"_placeholder\":true,\"num\":100000000000000000000}]"),
            DecodeError::bad_placeholder);
  EXPECT_EQ(decode("2[\"a\",0200000000000000000000]"), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"a\",200000000000000000000x]"), DecodeError::bad_json);
  EXPECT_EQ(decode("2[\"a\",1e400]"), DecodeError::bad_json);  // JSON.parse: Infinity
}

std::string nested(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST_F(SocketioDecode, RejectsDeepNesting) {
  // The event array is one level; 31 more reach the default limit of 32.
  ok(cat({"2[\"a\",", std::string(31, '['), "1", std::string(31, ']'), "]"}));
  EXPECT_EQ(decode(cat({"2[\"a\",", std::string(32, '['), "1", std::string(32, ']'), "]"})),
            DecodeError::too_deep);
  EXPECT_EQ(decode(cat({"2[\"a\",", nested(100000), "]"})), DecodeError::too_deep);
  EXPECT_NE(decode(cat({"0", std::string(50, '{')})), DecodeError::none);  // also unclosed
  std::string objects = "0";
  for (int i = 0; i < 40; ++i) objects += "{\"a\":";
  objects += '1';
  objects.append(40, '}');
  EXPECT_EQ(decode(objects), DecodeError::too_deep);
}

TEST_F(SocketioDecode, ChecksPlaceholdersOfBinaryPackets) {
  EXPECT_EQ(decode("52-[\"a\",{\"_placeholder\":true,\"num\":2}]"), DecodeError::bad_placeholder);
  EXPECT_EQ(decode("51-[\"a\",{\"_placeholder\":true,\"num\":1}]"), DecodeError::bad_placeholder);
  EXPECT_EQ(decode("51-[\"a\",{\"_placeholder\":true,\"num\":-1}]"), DecodeError::bad_placeholder);
  EXPECT_EQ(decode("51-[\"a\",{\"_placeholder\":true,\"num\":0.5}]"), DecodeError::bad_placeholder);
  EXPECT_EQ(decode("51-[\"a\",{\"_placeholder\":true,\"num\":\"0\"}]"), DecodeError::bad_placeholder);
  EXPECT_EQ(decode("51-[\"a\",{\"_placeholder\":true}]"), DecodeError::bad_placeholder);
  EXPECT_EQ(decode("51-[\"a\",{\"_placeholder\":true,\"num\":18446744073709551615}]"),
            DecodeError::bad_placeholder);
  // Nested anywhere in the arguments, and in acks too.
  EXPECT_EQ(decode("51-[\"a\",{\"x\":[1,{\"_placeholder\":true,\"num\":3}]}]"),
            DecodeError::bad_placeholder);
  EXPECT_EQ(decode("61-7[[{\"_placeholder\":true,\"num\":1}]]"), DecodeError::bad_placeholder);
  // JSON.parse keeps the last duplicate key.
  ok("51-[\"a\",{\"_placeholder\":true,\"num\":5,\"num\":0}]");
  EXPECT_EQ(decode("51-[\"a\",{\"_placeholder\":true,\"num\":0,\"num\":5}]"), DecodeError::bad_placeholder);
}

TEST_F(SocketioDecode, AcceptsValidPlaceholdersAndLookalikes) {
  ok("52-[\"a\",{\"x\":[{\"_placeholder\":true,\"num\":1}]},{\"num\":0,\"_placeholder\":true}]");
  ok("51-[\"a\",{\"_placeholder\":false,\"num\":9}]");
  ok("52-[\"a\",{\"_placeholder\":true,\"num\":1.0},{\"_placeholder\":true,\"num\":0e5}]");
  ok("51-[\"a\",{\"_placeholder\":\"true\",\"num\":9}]");
  ok("51-[\"a\",{\"_placeholder\":1,\"num\":9}]");
  // Only binary packets carry attachments: elsewhere a placeholder is plain data.
  ok("2[\"a\",{\"_placeholder\":true,\"num\":9}]");
  ok("3[{\"_placeholder\":true,\"num\":9}]");
}

TEST(SocketioDecodeLimits, AreConfigurable) {
  PacketDecoder decoder(DecodeLimits{.max_attachments = 2, .max_depth = 3, .max_namespace_length = 4});
  PacketView p;
  EXPECT_EQ(decoder.decode("52-[\"a\"]", p), DecodeError::none);
  EXPECT_EQ(decoder.decode("53-[\"a\"]", p), DecodeError::too_many_attachments);
  EXPECT_EQ(decoder.decode("2[\"a\",[{\"b\":1}]]", p), DecodeError::none);
  EXPECT_EQ(decoder.decode("2[\"a\",[[[1]]]]", p), DecodeError::too_deep);
  EXPECT_EQ(decoder.decode("2[\"a\",[{\"b\":[1]}]]", p), DecodeError::too_deep);
  EXPECT_EQ(decoder.decode("0/abc,", p), DecodeError::none);
  EXPECT_EQ(decoder.decode("0/abcd,", p), DecodeError::bad_namespace);
  // The depth limit survives the parser growing for a large payload.
  const std::string big = cat({"2[\"", std::string(100000, 'x'), "\",[[[1]]]]"});
  EXPECT_EQ(decoder.decode(big, p), DecodeError::too_deep);
}

TEST(SocketioDecodeErrors, HaveNames) {
  EXPECT_STREQ(to_string(DecodeError::none), "none");
  EXPECT_STREQ(to_string(DecodeError::bad_json), "invalid JSON payload");
  for (int e = 0; e <= static_cast<int>(DecodeError::bad_placeholder); ++e) {
    EXPECT_NE(std::string(to_string(static_cast<DecodeError>(e))), "unknown error");
  }
}

// --- encoding -------------------------------------------------------------------------------

std::string encoded(const OutPacket& packet) {
  std::string out;
  encode(packet, out);
  return out;
}

TEST(SocketioEncode, ProducesTheProtocolDocumentExamples) {
  EXPECT_EQ(encoded(out_packet(PacketType::connect, "/", std::nullopt, 0, "")), "0");
  EXPECT_EQ(encoded(out_packet(PacketType::connect, "/admin", std::nullopt, 0, "")), "0/admin,");
  EXPECT_EQ(encoded(out_packet(PacketType::connect, "/", std::nullopt, 0, R"({"sid":"wZX3oN0bSVIhsaknAAAI"})")),
            R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})");
  EXPECT_EQ(encoded(out_packet(PacketType::disconnect, "/admin", std::nullopt, 0, "")), "1/admin,");
  EXPECT_EQ(encoded(out_packet(PacketType::event, "/", std::nullopt, 0, R"(["hello",1])")), R"(2["hello",1])");
  EXPECT_EQ(encoded(out_packet(PacketType::event, "/admin", 12, 0, R"(["project:delete",123])")),
            R"(2/admin,12["project:delete",123])");
  EXPECT_EQ(encoded(out_packet(PacketType::ack, "/admin", 13, 0, "[]")),
            "3/admin,13[]");
  EXPECT_EQ(encoded(out_packet(PacketType::connect_error, "/", std::nullopt, 0, R"({"message":"Not authorized"})")),
            R"(4{"message":"Not authorized"})");
  EXPECT_EQ(encoded(out_packet(PacketType::binary_event, "/", std::nullopt, 1, R"(["baz",{"_placeholder":true,"num":0}])")),
            R"(51-["baz",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(encoded(out_packet(PacketType::binary_ack, "/admin", 15, 1, R"([{"_placeholder":true,"num":0}])")),
            R"(61-/admin,15[{"_placeholder":true,"num":0}])");
  EXPECT_EQ(encoded(out_packet(PacketType::binary_event, "/", std::nullopt, 0, R"(["a"])")),
            R"(50-["a"])");
}

TEST(SocketioEncode, EmptyNamespaceMeansTheMainOne) {
  EXPECT_EQ(encoded(out_packet(PacketType::event, "", std::nullopt, 0, R"(["a"])")), R"(2["a"])");
}

TEST(SocketioEncode, HeaderAloneAndAppending) {
  std::string out = "4";  // Engine.IO message digit first
  append_header(PacketType::ack, "/", 18446744073709551615u, 0, out);
  EXPECT_EQ(out, "4318446744073709551615");
  out.clear();
  append_header(PacketType::binary_event, "/x", std::nullopt, 4294967295u, out);
  EXPECT_EQ(out, "54294967295-/x,");
}

TEST(SocketioEncode, ChatMessageWithEscapedContent) {
  std::string payload = R"(["receive_message",{"senderId":"u1","content":)";
  json::append_string(payload, "say \"hi\"\n");
  payload += "}]";
  std::string out = "4";
  encode(out_packet(PacketType::event, "/", std::nullopt, 0, payload), out);
  EXPECT_EQ(out, R"(42["receive_message",{"senderId":"u1","content":"say \"hi\"\n"}])");
  PacketDecoder decoder;
  PacketView p;
  ASSERT_EQ(decoder.decode(std::string_view(out).substr(1), p), DecodeError::none);
  EXPECT_EQ(p.event, "receive_message");
  EXPECT_EQ(p.args, Args{R"({"senderId":"u1","content":"say \"hi\"\n"})"});
}

TEST(SocketioEncode, RoundTripsThroughTheDecoder) {
  const OutPacket packets[] = {
      out_packet(PacketType::connect, "/", std::nullopt, 0, ""),
      out_packet(PacketType::connect, "/a", std::nullopt, 0, R"({"token":"x"})"),
      out_packet(PacketType::disconnect, "/chat", std::nullopt, 0, ""),
      out_packet(PacketType::event, "/", 0, 0, R"(["e",1,"two",{"3":[4]}])"),
      out_packet(PacketType::event, "/n", 9007199254740991, 0, R"([42])"),
      out_packet(PacketType::ack, "/n", 3, 0, R"([null,false])"),
      out_packet(PacketType::connect_error, "/n", std::nullopt, 0, R"("refused")"),
      out_packet(PacketType::binary_event, "/b", 1, 2, R"(["up",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}])"),
      out_packet(PacketType::binary_ack, "/", std::nullopt, 10, R"([])"),
  };
  PacketDecoder decoder;
  PacketView view;
  for (const auto& packet : packets) {
    const std::string text = encoded(packet);
    ASSERT_EQ(decoder.decode(text, view), DecodeError::none) << text;
    EXPECT_EQ(view.type, packet.type) << text;
    EXPECT_EQ(view.nsp, packet.nsp) << text;
    EXPECT_EQ(view.id, packet.id) << text;
    EXPECT_EQ(view.attachments, packet.attachments) << text;
    EXPECT_EQ(view.payload, packet.payload) << text;
  }
}

// --- placeholder_index ----------------------------------------------------------------------

TEST(SocketioPlaceholder, ReadsTheIndex) {
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":0})"), 0u);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":7})"), 7u);
  EXPECT_EQ(placeholder_index(R"({"num":3,"_placeholder":true})"), 3u);
  EXPECT_EQ(placeholder_index(R"( { "_placeholder" : true , "num" : 2 } )"), 2u);
  EXPECT_EQ(placeholder_index(R"({"\u005fplaceholder":true,"num":4})"), 4u);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":4294967295})"), 4294967295u);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":1,"extra":0})"), 1u);
  // One number type in JavaScript: these are 1 there.
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":1.0})"), 1u);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":1e0})"), 1u);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":2,"num":3})"), 3u);
}

TEST(SocketioPlaceholder, RefusesEverythingElse) {
  EXPECT_EQ(placeholder_index(""), std::nullopt);
  EXPECT_EQ(placeholder_index("1"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"("_placeholder")"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"([{"_placeholder":true,"num":0}])"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"content":"hi"})"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":false,"num":0})"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":"true","num":0})"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true})"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"num":0})"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":-1})"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":1.5})"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":1e10})"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":"1"})"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":4294967296})"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":0)"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"_placeholder":true,"num":0}x)"), std::nullopt);
  EXPECT_EQ(placeholder_index(R"({"x":{"_placeholder":true,"num":0}})"), std::nullopt);
}

}  // namespace
}  // namespace sio::socketio
