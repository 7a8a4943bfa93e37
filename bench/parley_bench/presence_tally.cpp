#include "presence_tally.hpp"

#include <algorithm>

namespace parley_bench {

void PresenceCounts::merge(const PresenceCounts& o) {
  online += o.online;
  offline += o.offline;
  malformed += o.malformed;
  not_contact += o.not_contact;
  not_stormed += o.not_stormed;
  repeated += o.repeated;
  if (per_receiver.size() < o.per_receiver.size()) per_receiver.resize(o.per_receiver.size());
  for (std::size_t i = 0; i < o.per_receiver.size(); ++i) per_receiver[i] += o.per_receiver[i];
  for (const auto& [name, count] : o.other) other[name] += count;
}

PresenceTally::PresenceTally(const ContactBook& contacts, const std::unordered_map<std::string, uint32_t>& user_index,
                             std::vector<uint8_t> stormed)
    : contacts_(contacts), user_index_(user_index), stormed_(std::move(stormed)), last_told_(contacts.pairs(), 0) {
  counts_.per_receiver.assign(contacts.users(), 0);
}

void PresenceTally::record(uint32_t receiver, std::string_view payload) {
  simdjson::dom::element push;
  std::string_view user_id;
  bool online = false;
  simdjson::dom::element last_seen;
  if (parser_.parse(payload.data(), payload.size()).get(push) || push["userId"].get_string().get(user_id) ||
      push["online"].get_bool().get(online) || push["lastSeenAt"].get(last_seen) ||
      (online ? !last_seen.is_null() : !last_seen.is_string())) {
    ++counts_.malformed;
    return;
  }
  ++(online ? counts_.online : counts_.offline);
  if (receiver < counts_.per_receiver.size()) ++counts_.per_receiver[receiver];
  auto subject = user_index_.find(std::string(user_id));
  auto pair = subject == user_index_.end() ? std::nullopt : contacts_.pair(receiver, subject->second);
  if (!pair) {
    ++counts_.not_contact;
    return;
  }
  if (subject->second >= stormed_.size() || !stormed_[subject->second]) ++counts_.not_stormed;
  uint8_t state = online ? 1 : 2;
  if (last_told_[*pair] == state) ++counts_.repeated;
  last_told_[*pair] = state;
}

void PresenceTally::other(std::string_view event) {
  auto it = counts_.other.find(event);
  if (it == counts_.other.end()) it = counts_.other.emplace(std::string(event), 0).first;
  ++it->second;
}

PresenceCounts PresenceTally::take() {
  PresenceCounts result = std::move(counts_);
  counts_ = PresenceCounts{};
  counts_.per_receiver.assign(contacts_.users(), 0);
  std::fill(last_told_.begin(), last_told_.end(), 0);
  return result;
}

void judge_storm(PresenceResult& r) {
  std::vector<std::string> reasons;
  auto add = [&](uint64_t n, const char* what) {
    if (n) reasons.push_back(std::to_string(n) + " " + what);
  };
  if (r.reconnected < r.stormed) reasons.push_back(std::to_string(r.stormed - r.reconnected) + " not reconnected");
  if (r.reconnect_timed_out) reasons.emplace_back("reconnecting timed out");
  add(r.disconnects, "disconnects not asked for");
  add(r.error_events, "error events");
  add(r.malformed, "malformed presence pushes");
  add(r.not_contact, "presence pushes about a non-contact");
  add(r.not_stormed, "presence pushes about a user the storm left alone");
  add(r.repeated, "presence pushes repeating what the receiver was told");
  if (!r.quiet) reasons.emplace_back("still receiving pushes at the end of --duration");
  r.passed = reasons.empty();
  r.verdict.clear();
  for (std::size_t i = 0; i < reasons.size(); ++i) r.verdict += (i ? "; " : "") + reasons[i];
}

}  // namespace parley_bench
