// Building what the server sends: event, ack, connect and disconnect packets, and the
// Payload / Args helpers.
#include "socketio/core.hpp"

namespace sio {

void Payload::add(Binary bytes) {
  begin_arg();
  json_ += R"({"_placeholder":true,"num":)";
  json_ += std::to_string(attachments_.size());
  json_ += '}';
  attachments_.push_back(std::move(bytes.bytes));
}

void Payload::add(double value) {
  begin_arg();
  if (!std::isfinite(value)) {
    json_ += "null";  // as JSON.stringify does
    return;
  }
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  json_.append(buf, end);
}

std::optional<std::string_view> Args::binary(std::size_t i) const {
  if (i >= raw_.size()) return std::nullopt;
  auto index = socketio::placeholder_index(raw_[i]);
  if (!index || *index >= attachments_.size()) return std::nullopt;
  return std::string_view(attachments_[*index]);
}

Payload Args::to_payload() const {
  Payload p;
  for (auto raw : raw_) p.add(RawJson{std::string(raw)});
  p.attachments().assign(attachments_.begin(), attachments_.end());
  return p;
}

}  // namespace sio

namespace sio::detail {

namespace {

std::string packet_start(socketio::PacketType type, std::string_view nsp, std::optional<std::uint64_t> id,
                         std::uint32_t attachments, std::size_t reserve) {
  std::string text;
  text.reserve(reserve + nsp.size() + 24);
  text += static_cast<char>(engineio::PacketType::message);
  socketio::append_header(type, nsp, id, attachments, text);
  return text;
}

void append_attachments(Packets& packets, std::vector<std::string>&& attachments) {
  for (auto& bytes : attachments) packets.push_back(OutboundPacket::binary_message(std::move(bytes)));
}

}  // namespace

Packets encode_event(std::string_view nsp, std::string_view event, Payload&& payload,
                     std::optional<std::uint64_t> ack_id, std::string_view offset) {
  auto attachments = static_cast<std::uint32_t>(payload.attachments().size());
  auto type = attachments ? socketio::PacketType::binary_event : socketio::PacketType::event;
  std::string text = packet_start(type, nsp, ack_id, attachments, payload.json().size() + event.size() + 32);
  text += '[';
  json::append_string(text, event);
  if (payload.size()) {
    text += ',';
    text += payload.json();
  }
  if (!offset.empty()) {
    text += ',';
    json::append_string(text, offset);
  }
  text += ']';
  Packets packets;
  packets.reserve(1 + attachments);
  packets.push_back(OutboundPacket::text(std::move(text)));
  append_attachments(packets, std::move(payload.attachments()));
  return packets;
}

Packets encode_ack(std::string_view nsp, std::uint64_t id, const Payload& payload) {
  auto attachments = static_cast<std::uint32_t>(payload.attachments().size());
  auto type = attachments ? socketio::PacketType::binary_ack : socketio::PacketType::ack;
  std::string text = packet_start(type, nsp, id, attachments, payload.json().size() + 2);
  text += '[';
  text += payload.json();
  text += ']';
  Packets packets;
  packets.push_back(OutboundPacket::text(std::move(text)));
  auto copies = payload.attachments();
  append_attachments(packets, std::move(copies));
  return packets;
}

OutboundPacket encode_connect(std::string_view nsp, std::string_view sid, std::string_view pid) {
  std::string text = packet_start(socketio::PacketType::connect, nsp, std::nullopt, 0, 64);
  text += "{\"sid\":";
  json::append_string(text, sid);
  if (!pid.empty()) {
    text += ",\"pid\":";
    json::append_string(text, pid);
  }
  text += '}';
  return OutboundPacket::text(std::move(text));
}

OutboundPacket encode_connect_error(std::string_view nsp, const ConnectError& error) {
  std::string text = packet_start(socketio::PacketType::connect_error, nsp, std::nullopt, 0, 64);
  text += "{\"message\":";
  json::append_string(text, error.message);
  if (!error.data_json.empty()) {
    text += ",\"data\":";
    text += error.data_json;
  }
  text += '}';
  return OutboundPacket::text(std::move(text));
}

OutboundPacket encode_disconnect(std::string_view nsp) {
  return OutboundPacket::text(packet_start(socketio::PacketType::disconnect, nsp, std::nullopt, 0, 0));
}

}  // namespace sio::detail
