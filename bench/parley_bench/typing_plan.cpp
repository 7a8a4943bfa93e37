#include "typing_plan.hpp"

#include <algorithm>
#include <climits>

namespace parley_bench {

namespace {

constexpr std::size_t max_errors = 5;
constexpr uint32_t not_free = UINT32_MAX;
constexpr int64_t never = INT64_MIN;
// Groups looked at per change before giving up on finding a free member: the pacing rarely
// blocks a whole group, and the pick must stay cheap with many groups.
constexpr uint32_t group_tries = 16;

}  // namespace

TypingBoard::TypingBoard(GroupLayout layout, std::vector<uint64_t> conversation_ids, TypingPacing pacing,
                         uint64_t seed)
    : layout_(layout),
      conversation_ids_(std::move(conversation_ids)),
      pacing_(pacing),
      random_state_(seed | 1),
      groups_(layout.groups),
      last_change_ns_(layout.users(), never),
      typing_since_ns_(layout.users(), -1),
      free_slot_(layout.groups) {
  free_groups_.reserve(layout.groups);
  for (uint32_t g = 0; g < layout.groups; ++g) {
    free_slot_[g] = g;
    free_groups_.push_back(g);
    groups_[g].flight.got.assign(layout.members, 0);
  }
}

// xorshift64*: the choices need speed and reproducibility, not quality.
uint64_t TypingBoard::next_random() noexcept {
  random_state_ ^= random_state_ >> 12;
  random_state_ ^= random_state_ << 25;
  random_state_ ^= random_state_ >> 27;
  return random_state_ * 2685821657736338717ULL;
}

uint32_t TypingBoard::random_below(uint32_t n) noexcept {
  return static_cast<uint32_t>((next_random() >> 32) * n >> 32);
}

std::optional<uint32_t> TypingBoard::pick_member(uint32_t group, int64_t now) {
  const auto& typists = groups_[group].typists;
  // The oldest typist first (the list is in start order): it must stop before the server's
  // expiry would. If its own pacing holds it back, the group waits rather than add a typist.
  if (!typists.empty() && now - typing_since_ns_[typists.front()] >= pacing_.max_typing_ns) {
    uint32_t oldest = typists.front();
    if (now - last_change_ns_[oldest] >= pacing_.min_gap_ns) return oldest;
    return std::nullopt;
  }
  uint32_t first = layout_.creator(group);
  uint32_t offset = random_below(layout_.members);
  for (uint32_t i = 0; i < layout_.members; ++i) {
    uint32_t user = first + (offset + i) % layout_.members;
    if (last_change_ns_[user] == never || now - last_change_ns_[user] >= pacing_.min_gap_ns) return user;
  }
  return std::nullopt;
}

std::optional<TypingChange> TypingBoard::begin_change(int64_t now) {
  auto free_count = static_cast<uint32_t>(free_groups_.size());
  if (free_count == 0) return std::nullopt;
  uint32_t start = random_below(free_count);
  for (uint32_t i = 0; i < std::min(free_count, group_tries); ++i) {
    uint32_t group = free_groups_[(start + i) % free_count];
    auto user = pick_member(group, now);
    if (!user) continue;
    Group& g = groups_[group];
    TypingChange change{next_id_++, group, *user, typing_since_ns_[*user] < 0};
    // Taken out of the free list by swapping the last free group into its place.
    uint32_t slot = free_slot_[group];
    uint32_t last = free_groups_.back();
    free_groups_[slot] = last;
    free_slot_[last] = slot;
    free_groups_.pop_back();
    free_slot_[group] = not_free;
    ++in_flight_;
    Flight& f = g.flight;
    f.change = change;
    f.active = true;
    f.sent = false;
    f.acked = false;
    f.begun_ns = now;
    f.sent_ns = now;
    f.answered = 0;
    f.delivered = 0;
    std::fill(f.got.begin(), f.got.end(), 0);
    f.before = g.typists;
    f.since_before = typing_since_ns_[*user];
    last_change_ns_[*user] = now;
    apply(g, change);
    typing_since_ns_[*user] = change.is_typing ? now : -1;
    return change;
  }
  return std::nullopt;
}

void TypingBoard::apply(Group& group, const TypingChange& change) {
  if (change.is_typing) {
    group.typists.push_back(change.user);
  } else {
    std::erase(group.typists, change.user);
  }
}

void TypingBoard::mark_sent(const TypingChange& change, int64_t now) {
  Flight& f = groups_[change.group].flight;
  if (!f.active || f.change.id != change.id) return;
  f.sent = true;
  f.sent_ns = now;
  ++tally_.changes;
  ++(change.is_typing ? tally_.starts : tally_.stops);
  if (tally_.first_send_ns == 0) tally_.first_send_ns = now;
  tally_.last_send_ns = std::max(tally_.last_send_ns, now);
}

void TypingBoard::not_sent(const TypingChange& change) {
  Group& g = groups_[change.group];
  if (!g.flight.active || g.flight.change.id != change.id) return;
  ++tally_.not_sent;
  g.typists = g.flight.before;
  typing_since_ns_[change.user] = g.flight.since_before;
  g.flight.sent = false;
  finish(g);
}

void TypingBoard::on_ack(uint32_t group, uint64_t change_id, TypingAck ack, int64_t now) {
  if (group >= groups_.size()) return;
  Group& g = groups_[group];
  Flight& f = g.flight;
  if (!f.active || f.change.id != change_id) return;  // given up already
  f.acked = true;
  if (ack == TypingAck::ok) {
    ++tally_.acked;
    tally_.ack_latency.record(static_cast<uint64_t>(std::max<int64_t>(0, now - f.sent_ns)) / 1000);
    tally_.updates_due += layout_.fanout();
    return finish_if_complete(g);
  }
  // Refused: nothing changed on the server, so the list is what it was, and no update is due.
  ++(ack == TypingAck::rate_limited ? tally_.rate_limited : tally_.refused);
  g.typists = f.before;
  typing_since_ns_[f.change.user] = f.since_before;
  // Updates that came anyway were for a change the server says it did not make (their
  // latencies stay recorded: a case that should never arise).
  tally_.wrong_list += f.answered;
  tally_.delivered -= f.delivered;
  f.answered = f.delivered = 0;
  finish(g);
}

UpdateVerdict TypingBoard::on_update(uint32_t receiver, uint64_t conversation_id, std::span<const uint32_t> user_ids,
                                     int64_t now) {
  if (!layout_.contains(receiver)) {
    ++tally_.wrong_conversation;
    return UpdateVerdict::wrong_conversation;
  }
  uint32_t group = layout_.group_of(receiver);
  if (conversation_ids_[group] != conversation_id) {
    ++tally_.wrong_conversation;
    return UpdateVerdict::wrong_conversation;
  }
  Group& g = groups_[group];
  Flight& f = g.flight;
  if (!f.active || !f.sent) {
    ++tally_.no_change_in_flight;
    return UpdateVerdict::no_change_in_flight;
  }
  if (receiver == f.change.user) {
    ++tally_.to_changer;
    return UpdateVerdict::to_changer;
  }
  uint32_t member = receiver - layout_.creator(group);
  if (f.got[member]) {
    ++tally_.repeated;
    return UpdateVerdict::repeated;
  }
  f.got[member] = 1;
  ++f.answered;
  if (!std::equal(user_ids.begin(), user_ids.end(), g.typists.begin(), g.typists.end())) {
    ++tally_.wrong_list;
    finish_if_complete(g);
    return UpdateVerdict::wrong_list;
  }
  ++f.delivered;
  ++tally_.delivered;
  auto micros = static_cast<uint64_t>(std::max<int64_t>(0, now - f.sent_ns)) / 1000;
  tally_.latency.record(micros);
  (f.change.is_typing ? tally_.start_latency : tally_.stop_latency).record(micros);
  tally_.last_delivery_ns = std::max(tally_.last_delivery_ns, now);
  finish_if_complete(g);
  return UpdateVerdict::delivered;
}

void TypingBoard::finish_if_complete(Group& group) {
  if (group.flight.acked && group.flight.answered >= layout_.fanout()) finish(group);
}

void TypingBoard::finish(Group& group) {
  group.flight.active = false;
  uint32_t index = static_cast<uint32_t>(&group - groups_.data());
  free_slot_[index] = static_cast<uint32_t>(free_groups_.size());
  free_groups_.push_back(index);
  --in_flight_;
}

void TypingBoard::give_up(int64_t now, bool everything) {
  for (auto& g : groups_) {
    Flight& f = g.flight;
    if (!f.active || (!everything && now - f.begun_ns < pacing_.give_up_ns)) continue;
    ++tally_.given_up;
    if (!f.acked) {
      // No answer: the server may or may not have made the change; its updates were due.
      ++tally_.unacked;
      tally_.updates_due += layout_.fanout();
    }
    tally_.lost += layout_.fanout() - std::min(f.answered, layout_.fanout());
    note("typing change " + std::to_string(f.change.id) + " (group " + std::to_string(f.change.group) +
         (f.change.is_typing ? ", start" : ", stop") + ") incomplete: " + std::to_string(f.answered) + " of " +
         std::to_string(layout_.fanout()) + " updates" + (f.acked ? "" : ", no ack"));
    finish(g);
  }
}

void TypingBoard::malformed_update(std::string_view payload) {
  ++tally_.malformed;
  note("malformed typing_update: " + std::string(payload.substr(0, 200)));
}

void TypingBoard::error_event(std::string_view payload) {
  ++tally_.error_events;
  note("error event: " + std::string(payload.substr(0, 200)));
}

void TypingBoard::note(std::string error) {
  if (tally_.errors.size() < max_errors) tally_.errors.push_back(std::move(error));
}

std::string typing_event(uint64_t conversation_id, bool is_typing) {
  return "[\"typing\",{\"conversationId\":" + std::to_string(conversation_id) +
         ",\"isTyping\":" + (is_typing ? "true" : "false") + "}]";
}

TypingAck classify_typing_ack(simdjson::dom::parser& parser, std::string_view ack_json) {
  simdjson::dom::element answer;
  if (parser.parse(ack_json.data(), ack_json.size()).get(answer)) return TypingAck::refused;
  bool success = false;
  if (!answer["success"].get_bool().get(success) && success) return TypingAck::ok;
  std::string_view code;
  if (!answer["code"].get_string().get(code) && code == "RATE_LIMITED") return TypingAck::rate_limited;
  return TypingAck::refused;
}

bool read_typing_update(simdjson::dom::parser& parser, std::string_view payload,
                        const std::unordered_map<std::string, uint32_t>& user_index, TypingUpdate& out) {
  simdjson::dom::element update;
  simdjson::dom::array ids;
  if (parser.parse(payload.data(), payload.size()).get(update) ||
      update["conversationId"].get_uint64().get(out.conversation_id) || update["userIds"].get_array().get(ids)) {
    return false;
  }
  out.user_ids.clear();
  std::string key;
  for (auto element : ids) {
    std::string_view id;
    if (element.get_string().get(id)) return false;
    key.assign(id);
    auto found = user_index.find(key);
    if (found == user_index.end()) return false;
    out.user_ids.push_back(found->second);
  }
  return true;
}

}  // namespace parley_bench
