// The codec's share of one chat message, in nanoseconds: what every received and every sent
// event costs before any I/O.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "sio/engineio/packet.hpp"
#include "sio/json.hpp"
#include "sio/socketio/packet.hpp"

namespace {

constexpr std::string_view chat_event =
    R"(2["send_message",{"receiverId":"3f0c8f1e-2a6b-4d55-9c43-9f8f2e4b7a10","content":"Hello, how are you?"}])";
constexpr std::string_view chat_frame =
    R"(42["send_message",{"receiverId":"3f0c8f1e-2a6b-4d55-9c43-9f8f2e4b7a10","content":"Hello, how are you?"}])";

// Client -> server: the Socket.IO packet inside a message frame, validated and split.
void BM_DecodeSendMessage(benchmark::State& state) {
  sio::socketio::PacketDecoder decoder;
  sio::socketio::PacketView view;
  for (auto _ : state) {
    const auto error = decoder.decode(chat_event, view);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(view.args.data());
  }
}
BENCHMARK(BM_DecodeSendMessage);

// Server -> client: building a receive_message event from its fields, as a whole text packet.
void BM_EncodeReceiveMessage(benchmark::State& state) {
  std::string payload;
  std::string wire;
  for (auto _ : state) {
    payload.clear();
    payload.append(R"(["receive_message",{"id":)");
    sio::json::append_string(payload, "8a1f2c3d-4b5e-6f70-8192-a3b4c5d6e7f8");
    payload.append(R"(,"senderId":)");
    sio::json::append_string(payload, "3f0c8f1e-2a6b-4d55-9c43-9f8f2e4b7a10");
    payload.append(R"(,"content":)");
    sio::json::append_string(payload, "Hello, how are you?");
    payload.append(R"(,"createdAt":"2024-05-01T12:00:00.000Z"}])");
    wire.assign(1, '4');
    sio::socketio::encode({sio::socketio::PacketType::event, "/", std::nullopt, 0, payload}, wire);
    benchmark::DoNotOptimize(wire.data());
  }
}
BENCHMARK(BM_EncodeReceiveMessage);

void BM_EngineioDecodeTextFrame(benchmark::State& state) {
  std::string_view frame = chat_frame;
  for (auto _ : state) {
    benchmark::DoNotOptimize(frame);
    auto packet = sio::engineio::decode_text_frame(frame);
    benchmark::DoNotOptimize(packet);
  }
}
BENCHMARK(BM_EngineioDecodeTextFrame);

// A polling POST carrying three chat events.
void BM_EngineioDecodePayload3(benchmark::State& state) {
  std::string body;
  for (int i = 0; i < 3; ++i) {
    if (i > 0) body.push_back(sio::engineio::record_separator);
    body.append(chat_frame);
  }
  std::vector<sio::engineio::Packet> packets;
  for (auto _ : state) {
    const bool ok = sio::engineio::decode_payload(body, packets);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(packets.data());
  }
}
BENCHMARK(BM_EngineioDecodePayload3);

// The whole receive path of one WebSocket frame: Engine.IO, then Socket.IO.
void BM_DecodeFrameEndToEnd(benchmark::State& state) {
  sio::socketio::PacketDecoder decoder;
  sio::socketio::PacketView view;
  for (auto _ : state) {
    const auto frame = sio::engineio::decode_text_frame(chat_frame);
    const auto error = decoder.decode(frame->data, view);
    benchmark::DoNotOptimize(error);
  }
}
BENCHMARK(BM_DecodeFrameEndToEnd);

}  // namespace

BENCHMARK_MAIN();
