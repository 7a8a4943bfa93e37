#include "group_plan.hpp"

#include <simdjson.h>

#include "sio/json.hpp"

namespace parley_bench {

GroupRosters disjoint_rosters(const GroupLayout& layout) {
  GroupRosters rosters;
  rosters.members = layout.members;
  rosters.flat.resize(layout.users());
  for (uint32_t user = 0; user < layout.users(); ++user) rosters.flat[user] = user;
  return rosters;
}

std::string create_conversation_event(uint32_t group, std::span<const uint32_t> members,
                                      const std::vector<std::string>& quoted_ids) {
  std::string out = "[\"create_conversation\",{\"title\":\"parley-bench " + std::to_string(group) + "\",\"memberIds\":[";
  for (std::size_t i = 1; i < members.size(); ++i) {
    if (i > 1) out += ',';
    out += quoted_ids[members[i]];
  }
  out += "]}]";
  return out;
}

std::string create_conversation_event(const GroupLayout& layout, uint32_t group,
                                      const std::vector<std::string>& quoted_ids) {
  std::vector<uint32_t> members(layout.members);
  for (uint32_t i = 0; i < layout.members; ++i) members[i] = layout.creator(group) + i;
  return create_conversation_event(group, members, quoted_ids);
}

std::optional<uint64_t> conversation_id_from_ack(std::string_view ack_json, std::string& error) {
  simdjson::dom::parser parser;
  simdjson::dom::element answer;
  if (parser.parse(ack_json.data(), ack_json.size()).get(answer)) {
    error = "create_conversation: the ack is not JSON: " + std::string(ack_json.substr(0, 200));
    return std::nullopt;
  }
  bool success = false;
  if (answer["success"].get_bool().get(success) || !success) {
    error = "create_conversation refused: " + std::string(ack_json.substr(0, 200));
    return std::nullopt;
  }
  uint64_t id = 0;
  if (answer["conversation"]["id"].get_uint64().get(id)) {
    error = "create_conversation: no numeric conversation.id in " + std::string(ack_json.substr(0, 200));
    return std::nullopt;
  }
  return id;
}

void begin_group_send(std::string& out, uint64_t conversation_id) {
  out.assign("[\"send_message\",{\"conversationId\":");
  out += std::to_string(conversation_id);
  out += ",\"content\":\"";
}

GroupReceipt classify_group_receipt(const GroupLayout& layout, const Probe& probe, uint32_t receiver,
                                    std::string_view sender_id, std::string_view expected_sender_id,
                                    std::optional<uint64_t> conversation_id, uint64_t expected_conversation) noexcept {
  if (probe.to >= layout.groups || !layout.contains(probe.from) || layout.group_of(probe.from) != probe.to ||
      !layout.contains(receiver) || layout.group_of(receiver) != probe.to || sender_id != expected_sender_id ||
      !conversation_id || *conversation_id != expected_conversation) {
    return GroupReceipt::misrouted;
  }
  return receiver == probe.from ? GroupReceipt::echo : GroupReceipt::delivery;
}

uint32_t missing_deliveries(uint32_t count, uint32_t fanout) noexcept { return count < fanout ? fanout - count : 0; }

}  // namespace parley_bench
