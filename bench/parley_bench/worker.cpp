#include "worker.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <simdjson.h>

#include "probe.hpp"
#include "sio/json.hpp"
#include "sio/socketio/packet.hpp"

namespace parley_bench {

namespace net = boost::asio;

namespace {

constexpr std::size_t max_error_samples = 5;
constexpr auto send_tick = std::chrono::milliseconds(1);
constexpr auto sweep_period = std::chrono::milliseconds(250);
constexpr uint32_t handshake_slot = UINT32_MAX;

void sample_error(std::vector<std::string>& samples, std::string_view error) {
  if (samples.size() < max_error_samples) samples.emplace_back(error.substr(0, 300));
}

// xorshift64*: the generator's choices need speed, not quality.
struct FastRandom {
  uint64_t state;
  uint64_t next() noexcept {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ULL;
  }
  uint32_t below(uint32_t n) noexcept { return static_cast<uint32_t>((next() >> 32) * n >> 32); }
};

}  // namespace

void StepCounters::merge(const StepCounters& o) {
  attempted += o.attempted;
  sent += o.sent;
  skipped += o.skipped;
  acked += o.acked;
  failed_acks += o.failed_acks;
  delivered += o.delivered;
  duplicated += o.duplicated;
  misrouted += o.misrouted;
  echoes += o.echoes;
  late += o.late;
  foreign += o.foreign;
  error_events += o.error_events;
  disconnects += o.disconnects;
  last_send_ns = std::max(last_send_ns, o.last_send_ns);
  last_delivery_ns = std::max(last_delivery_ns, o.last_delivery_ns);
  ack_latency.merge(o.ack_latency);
  delivery_latency.merge(o.delivery_latency);
  for (const auto& e : o.error_samples) sample_error(error_samples, e);
}

void HandshakeCounters::merge(const HandshakeCounters& o) {
  succeeded += o.succeeded;
  failed += o.failed;
  latency.merge(o.latency);
  for (const auto& e : o.error_samples) sample_error(error_samples, e);
}

struct Worker::Impl final : ConnectionEvents {
  struct Pending {
    uint64_t ack_id;
    uint64_t seq;
    int64_t sent_ns;
  };
  struct Slot {
    std::shared_ptr<Connection> connection;
    std::deque<Pending> pending;
    bool finished = false;
    bool timed_out = false;
    bool dropped = false;  // by the storm: its end is no disconnect
  };

  Impl(uint32_t index, const RunShared& shared)
      : index(index), shared(shared), io(1), guard(net::make_work_guard(io)), send_timer(io), sweep_timer(io), close_timer(io),
        random{0x9E3779B97F4A7C15ULL * (index + 1) ^ static_cast<uint64_t>(now_ns())} {}

  // ---- connections -------------------------------------------------------------------------
  uint32_t source_for(uint32_t global_index) const {
    if (shared.first_source_v4 == 0) return 0;
    return shared.first_source_v4 + global_index % shared.source_addresses;
  }

  void connect(std::vector<uint32_t> users, std::vector<uint32_t> global_index, uint32_t concurrency) {
    connect_limit = std::max(1u, concurrency);
    for (std::size_t i = 0; i < users.size(); ++i) to_connect.emplace_back(users[i], global_index[i]);
    pump_connects();
    sweep();
  }

  void pump_connects() {
    while (connecting < connect_limit && !to_connect.empty() && !stopping) {
      auto [user, global] = to_connect.front();
      to_connect.pop_front();
      auto connection = make_websocket_connection(io, shared.target, source_for(global), shared.auth_json[user],
                                                  *this, decoder);
      connection->user = user;
      connection->slot = static_cast<uint32_t>(slots.size());
      connection->started_ns = now_ns();
      slots.push_back(Slot{connection, {}, false, false, false});
      ++connecting;
      ++alive;
      connection->start();
    }
  }

  // Aborts connects that take longer than the timeout.
  void sweep() {
    if (sweeping) return;
    sweeping = true;
    sweep_timer.expires_after(sweep_period);
    sweep_timer.async_wait([this](boost::system::error_code ec) {
      sweeping = false;
      if (ec || stopping) return;
      auto limit = static_cast<int64_t>(shared.connect_timeout_s * 1e9);
      auto now = now_ns();
      for (auto& slot : slots) {
        if (!slot.finished && !slot.connection->connected() && now - slot.connection->started_ns > limit) {
          slot.timed_out = true;
          slot.connection->abort();
        }
      }
      if (connecting > 0 || !to_connect.empty()) sweep();
    });
  }

  void on_connected(Connection& connection) override {
    if (connection.slot == handshake_slot) return on_handshake_connected(connection);
    --connecting;
    live.connected.fetch_add(1, std::memory_order_relaxed);
    pump_connects();
  }

  void on_closed(Connection& connection, std::string_view error) override {
    --alive;
    live.closed.fetch_add(1, std::memory_order_relaxed);
    if (connection.slot == handshake_slot) {
      on_handshake_closed(connection, error);
    } else {
      auto& slot = slots[connection.slot];
      slot.finished = true;
      slot.pending.clear();
      if (!connection.connected()) {
        --connecting;
        live.connect_failed.fetch_add(1, std::memory_order_relaxed);
        sample_error(connection_errors, slot.timed_out ? std::string_view("connect timed out") : error);
        pump_connects();
      } else if (slot.dropped) {
        if (--dropping == 0 && drop_waiter) {
          drop_waiter->set_value();
          drop_waiter.reset();
        }
      } else if (!closing_all) {
        live.disconnected.fetch_add(1, std::memory_order_relaxed);
        ++counters.disconnects;
        auto why = error.empty() ? std::string_view("disconnected") : error;
        sample_error(counters.error_samples, why);
        sample_error(connection_errors, why);
      }
    }
    if (alive == 0) {
      for (auto& waiter : close_waiters) waiter.set_value();
      close_waiters.clear();
      close_timer.cancel();
    }
  }

  void close_all(std::promise<void> done) {
    closing_all = true;
    to_connect.clear();
    if (alive == 0) return done.set_value();
    close_waiters.push_back(std::move(done));
    for (auto& slot : slots) {
      if (!slot.finished) slot.connection->close();
    }
    // Servers that never answer the close handshake are cut off after a while.
    close_timer.expires_after(std::chrono::seconds(5));
    close_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      for (auto& slot : slots) {
        if (!slot.finished) slot.connection->abort();
      }
    });
  }

  void drop(const std::vector<uint32_t>& users, std::promise<void> done) {
    std::vector<uint8_t> wanted(shared.users.size(), 0);
    for (uint32_t user : users) wanted[user] = 1;
    std::vector<Connection*> victims;
    for (auto& slot : slots) {
      if (slot.finished || slot.dropped || !slot.connection->connected() || !wanted[slot.connection->user]) continue;
      slot.dropped = true;
      victims.push_back(slot.connection.get());
    }
    dropping += victims.size();
    if (dropping == 0) return done.set_value();
    drop_waiter = std::move(done);
    // Every victim marked first, then reset: their ends come back through on_closed later.
    for (auto* connection : victims) connection->reset();
  }

  void abort_all() {
    stopping = true;
    send_timer.cancel();
    sweep_timer.cancel();
    close_timer.cancel();
    to_connect.clear();
    for (auto& slot : slots) {
      if (!slot.finished) slot.connection->abort();
    }
    for (auto& [_, connection] : handshakes) connection->abort();
    for (auto& handshaker : pollers) handshaker->abort();
  }

  // ---- groups ------------------------------------------------------------------------------
  static uint64_t ack_key(uint32_t slot, uint64_t ack_id) { return static_cast<uint64_t>(slot) << 40 ^ ack_id; }

  void create_groups(std::vector<uint32_t> groups, uint32_t concurrency, std::promise<GroupsCreated> done) {
    create_limit = std::max(1u, concurrency);
    for (uint32_t g : groups) to_create.push_back(g);
    created_done = std::move(done);
    slot_of_user.clear();
    for (uint32_t i = 0; i < slots.size(); ++i) {
      if (!slots[i].finished) slot_of_user[slots[i].connection->user] = i;  // the open one, after a storm
    }
    pump_creates();
  }

  void pump_creates() {
    while (creating.size() < create_limit && !to_create.empty()) {
      uint32_t group = to_create.front();
      to_create.pop_front();
      auto found = slot_of_user.find(shared.rosters.creator(group));
      if (found == slot_of_user.end() || slots[found->second].finished ||
          !slots[found->second].connection->connected()) {
        ++created.failed;
        sample_error(created.error_samples, "create_conversation: the creator of group " + std::to_string(group) +
                                                " is not connected");
        continue;
      }
      auto& connection = *slots[found->second].connection;
      uint64_t ack_id =
          connection.emit_with_ack(create_conversation_event(group, shared.rosters.of(group), shared.quoted_ids));
      creating.emplace(ack_key(found->second, ack_id), group);
    }
    if (creating.empty() && to_create.empty() && created_done) {
      created_done->set_value(std::move(created));
      created_done.reset();
      created = GroupsCreated{};
    }
  }

  void on_create_ack(uint32_t group, std::string_view first_arg) {
    live.created.fetch_add(1, std::memory_order_relaxed);
    std::string error;
    if (auto id = conversation_id_from_ack(first_arg, error)) {
      created.ids.emplace_back(group, *id);
    } else {
      ++created.failed;
      sample_error(created.error_samples, error);
    }
    pump_creates();
  }

  // ---- typing ------------------------------------------------------------------------------
  void watch_typing(std::shared_ptr<TypingWatch> watch) {
    typing = std::move(watch);
    typing_acks.clear();
  }

  void send_typing(const TypingChange& change) {
    if (!typing) return;
    auto found = slot_of_user.find(change.user);  // filled by create_groups
    if (found == slot_of_user.end() || slots[found->second].finished || !slots[found->second].connection->connected()) {
      std::lock_guard lock(typing->mutex);
      typing->board.not_sent(change);
      return;
    }
    auto payload = typing_event(shared.conversation_ids[change.group], change.is_typing);
    {
      // Before the emit: another worker may hold a receiver whose update comes back at once.
      std::lock_guard lock(typing->mutex);
      typing->board.mark_sent(change, now_ns());
    }
    uint64_t ack_id = slots[found->second].connection->emit_with_ack(payload);
    typing_acks.emplace(ack_key(found->second, ack_id), std::make_pair(change.group, change.id));
  }

  void on_typing_ack(uint32_t group, uint64_t change_id, std::string_view first_arg) {
    int64_t now = now_ns();
    auto ack = classify_typing_ack(parser, first_arg);
    std::lock_guard lock(typing->mutex);
    typing->board.on_ack(group, change_id, ack, now);
  }

  void on_typing_update(uint32_t receiver, std::string_view payload) {
    int64_t now = now_ns();
    bool ok = read_typing_update(parser, payload, shared.user_index, typing_update);
    std::lock_guard lock(typing->mutex);
    if (!ok) return typing->board.malformed_update(payload);
    typing->board.on_update(receiver, typing_update.conversation_id, typing_update.user_ids, now);
  }

  // ---- messages ----------------------------------------------------------------------------
  void start_step(std::shared_ptr<Step> s) {
    step = std::move(s);
    counters_reset();
    next_k = 0;
    collecting = true;
    sending = true;
    tick();
  }

  void counters_reset() {
    uint64_t late = counters.late;  // what arrived between steps belongs to the next
    counters = StepCounters{};
    counters.late = late;
  }

  void tick() {
    if (!sending || stopping) return;
    int64_t now = now_ns();
    uint64_t due = 0;
    if (now > step->start_ns) {
      double expected = static_cast<double>(now - step->start_ns) * step->rate_per_thread / 1e9;
      due = std::min<uint64_t>(step->per_thread_total, static_cast<uint64_t>(expected));
    }
    while (next_k < due) send_one();
    live.attempted.store(next_k, std::memory_order_relaxed);
    if (next_k >= step->per_thread_total) {
      sending = false;
      return;
    }
    send_timer.expires_after(send_tick);
    send_timer.async_wait([this](boost::system::error_code ec) {
      if (!ec) tick();
    });
  }

  Slot* pick_sender() {
    if (slots.empty()) return nullptr;
    for (int attempt = 0; attempt < 8; ++attempt) {
      auto& slot = slots[random.below(static_cast<uint32_t>(slots.size()))];
      if (!slot.finished && slot.connection->connected()) return &slot;
    }
    for (auto& slot : slots) {
      if (!slot.finished && slot.connection->connected()) return &slot;
    }
    return nullptr;
  }

  void send_one() {
    uint64_t seq = next_k * step->threads + index;
    ++next_k;
    ++counters.attempted;
    Slot* slot = pick_sender();
    auto user_count = static_cast<uint32_t>(shared.users.size());
    if (!slot || slot->pending.size() >= shared.max_inflight || user_count < 2) {
      ++counters.skipped;
      return;
    }
    uint32_t from = slot->connection->user;
    int64_t now = now_ns();
    uint32_t to = 0;  // the receiver; for a group send, the group
    if (step->group) {
      to = shared.layout.group_of(from);
      begin_group_send(payload, shared.conversation_ids[to]);
    } else {
      to = random.below(user_count - 1);
      if (to >= from) ++to;
      payload.assign("[\"send_message\",{\"receiverId\":");
      payload += shared.quoted_ids[to];
      payload += ",\"content\":\"";
    }
    append_probe(payload, Probe{step->id, seq, now, from, to}, shared.message_size);
    payload += "\"}]";
    step->tracking[seq].fetch_or(track::sent, std::memory_order_relaxed);
    uint64_t ack_id = slot->connection->emit_with_ack(payload);
    slot->pending.push_back(Pending{ack_id, seq, now});
    ++counters.sent;
    counters.last_send_ns = now;
    live.sent.fetch_add(1, std::memory_order_relaxed);
  }

  void on_ack(Connection& connection, uint64_t id, std::string_view first_arg) override {
    if (connection.slot == handshake_slot) return;
    if (!creating.empty()) {
      if (auto it = creating.find(ack_key(connection.slot, id)); it != creating.end()) {
        uint32_t group = it->second;
        creating.erase(it);
        return on_create_ack(group, first_arg);
      }
    }
    if (typing && !typing_acks.empty()) {
      if (auto it = typing_acks.find(ack_key(connection.slot, id)); it != typing_acks.end()) {
        auto [group, change_id] = it->second;
        typing_acks.erase(it);
        return on_typing_ack(group, change_id, first_arg);
      }
    }
    if (!collecting) return;
    auto& pending = slots[connection.slot].pending;
    auto it = pending.begin();
    while (it != pending.end() && it->ack_id != id) ++it;
    if (it == pending.end()) {
      ++counters.late;
      return;
    }
    Pending p = *it;
    if (it == pending.begin()) {
      pending.pop_front();
    } else {
      pending.erase(it);
    }
    bool success = false;
    simdjson::dom::element answer;
    if (!parser.parse(first_arg.data(), first_arg.size()).get(answer)) {
      if (answer["success"].get_bool().get(success)) success = false;
    }
    int64_t now = now_ns();
    live.acks.fetch_add(1, std::memory_order_relaxed);
    if (success) {
      ++counters.acked;
      step->tracking[p.seq].fetch_or(track::ack_ok, std::memory_order_relaxed);
      counters.ack_latency.record(static_cast<uint64_t>(std::max<int64_t>(0, now - p.sent_ns)) / 1000);
    } else {
      ++counters.failed_acks;
      live.failed_acks.fetch_add(1, std::memory_order_relaxed);
      step->tracking[p.seq].fetch_or(track::ack_failed, std::memory_order_relaxed);
      sample_error(counters.error_samples, std::string("ack: ") + std::string(first_arg.substr(0, 200)));
    }
  }

  void on_event(Connection& connection, std::string_view name, std::string_view first_arg) override {
    if (connection.slot == handshake_slot) return;
    live.events.fetch_add(1, std::memory_order_relaxed);
    live.last_event_ns.store(now_ns(), std::memory_order_relaxed);
    if (presence) {
      if (name == "presence") {
        presence->record(connection.user, first_arg);
      } else {
        presence->other(name);
      }
    }
    if (typing) {
      if (name == "typing_update") return on_typing_update(connection.user, first_arg);
      if (name == "error") {
        std::lock_guard lock(typing->mutex);
        typing->board.error_event(first_arg);
      }
    }
    if (name == "error") {
      ++counters.error_events;
      auto text = std::string("error event: ") + std::string(first_arg.substr(0, 200));
      sample_error(collecting ? counters.error_samples : connection_errors, text);
      return;
    }
    if (name != "receive_message") return;
    int64_t now = now_ns();
    live.received.fetch_add(1, std::memory_order_relaxed);
    simdjson::dom::element message;
    std::string_view content, sender_id;
    if (parser.parse(first_arg.data(), first_arg.size()).get(message) ||
        message["content"].get_string().get(content) || message["senderId"].get_string().get(sender_id)) {
      ++counters.foreign;
      return;
    }
    auto probe = parse_probe(content);
    if (!probe) {
      ++counters.foreign;
      return;
    }
    if (!collecting || !step || probe->step != step->id) {
      ++counters.late;
      return;
    }
    if (probe->seq >= step->tracking.size() || probe->from >= shared.users.size()) {
      ++counters.misrouted;
      return;
    }
    if (step->group) return on_group_receipt(connection.user, *probe, message, sender_id, now);
    uint32_t user = connection.user;
    if (user == probe->from && user != probe->to) {
      ++counters.echoes;
      return;
    }
    if (user != probe->to || sender_id != shared.users[probe->from].id) {
      ++counters.misrouted;
      return;
    }
    auto before = step->tracking[probe->seq].fetch_or(track::delivered, std::memory_order_relaxed);
    if (!(before & track::sent)) {
      ++counters.misrouted;
    } else if (before & track::delivered) {
      ++counters.duplicated;
    } else {
      ++counters.delivered;
      live.delivered.fetch_add(1, std::memory_order_relaxed);
      counters.last_delivery_ns = now;
      counters.delivery_latency.record(static_cast<uint64_t>(std::max<int64_t>(0, now - probe->sent_ns)) / 1000);
    }
  }

  void on_group_receipt(uint32_t receiver, const Probe& probe, simdjson::dom::element message,
                        std::string_view sender_id, int64_t now) {
    std::optional<uint64_t> conversation;
    if (uint64_t id = 0; !message["conversationId"].get_uint64().get(id)) conversation = id;
    uint64_t expected_conversation = probe.to < shared.conversation_ids.size() ? shared.conversation_ids[probe.to] : 0;
    switch (classify_group_receipt(shared.layout, probe, receiver, sender_id, shared.users[probe.from].id,
                                   conversation, expected_conversation)) {
      case GroupReceipt::misrouted: ++counters.misrouted; return;
      case GroupReceipt::echo: ++counters.echoes; return;
      case GroupReceipt::delivery: break;
    }
    if (!(step->tracking[probe.seq].load(std::memory_order_relaxed) & track::sent)) {
      ++counters.misrouted;
      return;
    }
    auto before = step->deliveries[probe.seq].fetch_add(1, std::memory_order_relaxed);
    if (before >= step->fanout) {
      ++counters.duplicated;
      return;
    }
    ++counters.delivered;
    live.delivered.fetch_add(1, std::memory_order_relaxed);
    counters.last_delivery_ns = now;
    counters.delivery_latency.record(static_cast<uint64_t>(std::max<int64_t>(0, now - probe.sent_ns)) / 1000);
  }

  StepCounters end_step() {
    sending = false;
    collecting = false;
    send_timer.cancel();
    for (auto& slot : slots) slot.pending.clear();
    StepCounters result = std::move(counters);
    counters = StepCounters{};
    return result;
  }

  // ---- handshakes --------------------------------------------------------------------------
  uint32_t next_handshake_user() {
    auto user = static_cast<uint32_t>((handshake_counter * shared.threads + index) % shared.users.size());
    ++handshake_counter;
    return user;
  }

  void start_handshakes(uint32_t concurrency, Transport transport, int64_t deadline) {
    handshake_deadline = deadline;
    handshaking = true;
    if (transport == Transport::websocket) {
      for (uint32_t i = 0; i < concurrency; ++i) launch_handshake();
      return;
    }
    for (uint32_t i = 0; i < concurrency; ++i) {
      PollingCallbacks callbacks;
      callbacks.next_auth = [this]() -> std::string {
        if (!handshaking || now_ns() >= handshake_deadline) return {};
        return shared.auth_json[next_handshake_user()];
      };
      callbacks.done = [this](bool ok, int64_t latency_ns, std::string_view error) {
        if (!handshaking) return;
        if (ok) {
          ++handshake_counters.succeeded;
          handshake_counters.latency.record(static_cast<uint64_t>(latency_ns) / 1000);
        } else {
          ++handshake_counters.failed;
          sample_error(handshake_counters.error_samples, error);
        }
      };
      auto poller = make_polling_handshaker(io, shared.target, source_for(i * shared.threads + index),
                                            std::move(callbacks));
      pollers.push_back(poller);
      poller->start();
    }
  }

  void launch_handshake() {
    if (!handshaking || stopping || now_ns() >= handshake_deadline) return;
    auto connection = make_websocket_connection(io, shared.target,
                                                source_for(static_cast<uint32_t>(handshake_counter)),
                                                shared.auth_json[next_handshake_user()], *this, decoder);
    connection->slot = handshake_slot;
    connection->started_ns = now_ns();
    handshakes.emplace(connection.get(), connection);
    ++alive;
    connection->start();
  }

  void on_handshake_connected(Connection& connection) {
    if (handshaking) {
      ++handshake_counters.succeeded;
      handshake_counters.latency.record(static_cast<uint64_t>(now_ns() - connection.started_ns) / 1000);
    }
    connection.close();
    launch_handshake();
  }

  void on_handshake_closed(Connection& connection, std::string_view error) {
    auto keep = handshakes.find(&connection);
    std::shared_ptr<Connection> hold;
    if (keep != handshakes.end()) {
      hold = keep->second;
      handshakes.erase(keep);
    }
    if (connection.connected() || !handshaking) return;
    ++handshake_counters.failed;
    sample_error(handshake_counters.error_samples, error.empty() ? std::string_view("closed") : error);
    launch_handshake();
  }

  HandshakeCounters end_handshakes() {
    handshaking = false;
    for (auto& [_, connection] : handshakes) connection->abort();
    for (auto& poller : pollers) poller->abort();
    pollers.clear();
    HandshakeCounters result = std::move(handshake_counters);
    handshake_counters = HandshakeCounters{};
    return result;
  }

  uint32_t index;
  const RunShared& shared;
  net::io_context io;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
  net::steady_timer send_timer;
  net::steady_timer sweep_timer;
  net::steady_timer close_timer;
  std::thread thread;
  std::promise<void> ran;
  sio::socketio::PacketDecoder decoder;
  simdjson::dom::parser parser;
  FastRandom random;
  LiveCounters live;

  std::vector<Slot> slots;
  std::deque<std::pair<uint32_t, uint32_t>> to_connect;  // user, global index
  uint32_t connecting = 0;
  uint32_t connect_limit = 1;
  uint64_t alive = 0;
  bool sweeping = false;
  bool closing_all = false;
  bool stopping = false;
  std::vector<std::promise<void>> close_waiters;
  std::vector<std::string> connection_errors;

  std::deque<uint32_t> to_create;                     // groups
  std::unordered_map<uint64_t, uint32_t> creating;    // ack_key -> group
  std::unordered_map<uint32_t, uint32_t> slot_of_user;
  uint32_t create_limit = 1;
  GroupsCreated created;
  std::optional<std::promise<GroupsCreated>> created_done;

  uint64_t dropping = 0;  // connections dropped, not yet ended
  std::optional<std::promise<void>> drop_waiter;
  std::optional<PresenceTally> presence;

  std::shared_ptr<TypingWatch> typing;
  std::unordered_map<uint64_t, std::pair<uint32_t, uint64_t>> typing_acks;  // ack_key -> group, change id
  TypingUpdate typing_update;  // reused for every typing_update

  std::shared_ptr<Step> step;
  StepCounters counters;
  uint64_t next_k = 0;
  bool sending = false;
  bool collecting = false;
  std::string payload;

  bool handshaking = false;
  int64_t handshake_deadline = 0;
  uint64_t handshake_counter = 0;
  HandshakeCounters handshake_counters;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> handshakes;
  std::vector<std::shared_ptr<PollingHandshaker>> pollers;
};

Worker::Worker(uint32_t index, const RunShared& shared) : impl_(std::make_unique<Impl>(index, shared)) {}

Worker::~Worker() { stop(); }

void Worker::start() {
  impl_->thread = std::thread([impl = impl_.get()] {
    try {
      if (impl->shared.batch_us == 0) {
        impl->io.run();
      } else {
        // Batched: one wake-up per interval instead of one per packet, for machines where the
        // generator shares the cores with the server (timestamps are then up to batch_us late).
        auto interval = std::chrono::microseconds(impl->shared.batch_us);
        while (!impl->io.stopped()) {
          impl->io.poll();
          if (impl->io.stopped()) break;
          std::this_thread::sleep_for(interval);
        }
      }
    } catch (...) {
    }
    impl->ran.set_value();
  });
}

void Worker::stop() {
  if (!impl_->thread.joinable()) return;
  auto finished = impl_->ran.get_future();
  net::post(impl_->io, [impl = impl_.get()] {
    impl->abort_all();
    impl->guard.reset();
  });
  if (finished.wait_for(std::chrono::seconds(5)) != std::future_status::ready) impl_->io.stop();
  impl_->thread.join();
}

void Worker::connect(std::vector<uint32_t> users, std::vector<uint32_t> global_index, uint32_t concurrency) {
  net::post(impl_->io, [impl = impl_.get(), users = std::move(users), global_index = std::move(global_index),
                        concurrency]() mutable { impl->connect(std::move(users), std::move(global_index), concurrency); });
}

std::future<void> Worker::close_all() {
  std::promise<void> done;
  auto future = done.get_future();
  net::post(impl_->io, [impl = impl_.get(), done = std::move(done)]() mutable { impl->close_all(std::move(done)); });
  return future;
}

std::future<void> Worker::drop(std::vector<uint32_t> users) {
  std::promise<void> done;
  auto future = done.get_future();
  net::post(impl_->io, [impl = impl_.get(), users = std::move(users), done = std::move(done)]() mutable {
    impl->drop(users, std::move(done));
  });
  return future;
}

void Worker::watch_presence(std::vector<uint8_t> stormed) {
  net::post(impl_->io, [impl = impl_.get(), stormed = std::move(stormed)]() mutable {
    impl->presence.emplace(impl->shared.contacts, impl->shared.user_index, std::move(stormed));
  });
}

std::future<PresenceCounts> Worker::end_presence_watch() {
  auto done = std::make_shared<std::promise<PresenceCounts>>();
  net::post(impl_->io, [impl = impl_.get(), done] {
    done->set_value(impl->presence ? impl->presence->take() : PresenceCounts{});
    impl->presence.reset();
  });
  return done->get_future();
}

std::future<GroupsCreated> Worker::create_groups(std::vector<uint32_t> groups, uint32_t concurrency) {
  std::promise<GroupsCreated> done;
  auto future = done.get_future();
  net::post(impl_->io, [impl = impl_.get(), groups = std::move(groups), concurrency, done = std::move(done)]() mutable {
    impl->create_groups(std::move(groups), concurrency, std::move(done));
  });
  return future;
}

void Worker::watch_typing(std::shared_ptr<TypingWatch> watch) {
  net::post(impl_->io, [impl = impl_.get(), watch = std::move(watch)]() mutable { impl->watch_typing(std::move(watch)); });
}

void Worker::send_typing(TypingChange change) {
  net::post(impl_->io, [impl = impl_.get(), change] { impl->send_typing(change); });
}

void Worker::start_step(std::shared_ptr<Step> step) {
  net::post(impl_->io, [impl = impl_.get(), step = std::move(step)]() mutable { impl->start_step(std::move(step)); });
}

void Worker::stop_sending() {
  net::post(impl_->io, [impl = impl_.get()] {
    impl->sending = false;
    impl->send_timer.cancel();
  });
}

std::future<StepCounters> Worker::end_step() {
  auto done = std::make_shared<std::promise<StepCounters>>();
  net::post(impl_->io, [impl = impl_.get(), done] { done->set_value(impl->end_step()); });
  return done->get_future();
}

void Worker::start_handshakes(uint32_t concurrency, Transport transport, int64_t deadline_ns) {
  net::post(impl_->io, [impl = impl_.get(), concurrency, transport, deadline_ns] {
    impl->start_handshakes(concurrency, transport, deadline_ns);
  });
}

std::future<HandshakeCounters> Worker::end_handshakes() {
  auto done = std::make_shared<std::promise<HandshakeCounters>>();
  net::post(impl_->io, [impl = impl_.get(), done] { done->set_value(impl->end_handshakes()); });
  return done->get_future();
}

const LiveCounters& Worker::live() const { return impl_->live; }

void Worker::reset_step_counters() {
  auto& live = impl_->live;
  for (auto* counter : {&live.attempted, &live.sent, &live.acks, &live.failed_acks, &live.delivered}) {
    counter->store(0, std::memory_order_relaxed);
  }
}

std::future<std::vector<std::string>> Worker::connection_errors() {
  auto done = std::make_shared<std::promise<std::vector<std::string>>>();
  net::post(impl_->io, [impl = impl_.get(), done] { done->set_value(impl->connection_errors); });
  return done->get_future();
}

}  // namespace parley_bench
