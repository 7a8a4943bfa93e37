#include "chat/gateway.hpp"

#include <chrono>

#include <simdjson.h>

#include "chat/message_json.hpp"
#include "chat/validation.hpp"

namespace parley::chat {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Where an answer goes: the socket (for `error` events) and the client's ack, if it asked.
// Usable from any thread.
struct Reply {
  sio::Socket::Ref socket;
  sio::Ack ack;

  void fail(std::string message) const {
    socket.emit("error", sio::RawJson{error_object(message)});
    if (ack) ack(sio::RawJson{failure_ack(message)});
  }
};

simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

// The UTF-16 unit of the escape "\\uXXXX" at `at`, or -1.
int escaped_unit(std::string_view s, std::size_t at) {
  if (at + 6 > s.size() || s[at] != '\\' || s[at + 1] != 'u') return -1;
  int unit = 0;
  for (std::size_t k = at + 2; k < at + 6; ++k) {
    char c = s[k];
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

bool is_high_surrogate(int unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool is_low_surrogate(int unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

// Whether the decimal integer `digits` (no sign, no leading zero) fits simdjson's int64/uint64.
bool fits_64_bits(std::string_view digits, bool negative) {
  std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
  return digits.size() < limit.size() || (digits.size() == limit.size() && digits <= limit);
}

// Event arguments arrive as the client's JSON text, which the protocol layer accepted as
// JSON.parse would. simdjson refuses two things in it: escapes of lone UTF-16 surrogates (a
// string cut inside an emoji) and integers beyond 64 bits (JSON.stringify writes 2e20 as
// 200000000000000000000). Rewrites them as U+FFFD (what a UTF-8 encoder makes of a lone
// surrogate) and as a double, so that such a value in one field does not spoil the others.
std::string rewrite_for_simdjson(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 8);
  for (std::size_t i = 0; i < json.size();) {
    char c = json[i];
    if (c == '"') {
      out += c;
      for (++i; i < json.size() && json[i] != '"';) {
        int unit = escaped_unit(json, i);
        std::size_t length = json[i] != '\\' ? 1 : 2;
        if (is_high_surrogate(unit) && is_low_surrogate(escaped_unit(json, i + 6))) {
          length = 12;  // a proper pair
        } else if (is_high_surrogate(unit) || is_low_surrogate(unit)) {
          out += "\\ufffd";
          i += 6;
          continue;
        }
        out.append(json.substr(i, length));
        i += length;
      }
      if (i < json.size()) out += json[i++];
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      bool negative = c == '-';
      std::size_t digits_start = negative ? i + 1 : i, end = digits_start;
      while (end < json.size() && json[end] >= '0' && json[end] <= '9') ++end;
      out.append(json.substr(i, end - i));
      bool integer = end == json.size() || (json[end] != '.' && json[end] != 'e' && json[end] != 'E');
      if (integer && !fits_64_bits(json.substr(digits_start, end - digits_start), negative)) out += ".0";
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// Parses JSON text the protocol layer accepted; see rewrite_for_simdjson.
simdjson::error_code parse_json(std::string_view json, simdjson::dom::element& doc) {
  auto error = parser().parse(json.data(), json.size()).get(doc);
  if (error == simdjson::STRING_ERROR || error == simdjson::NUMBER_ERROR) {
    error = parser().parse(rewrite_for_simdjson(json)).get(doc);
  }
  return error;
}

// The first argument as a JSON object, if it is one.
std::optional<simdjson::dom::object> object_arg(const sio::Args& args) {
  if (args.empty()) return std::nullopt;
  simdjson::dom::element doc;
  if (parse_json(args[0], doc)) return std::nullopt;
  simdjson::dom::object object;
  if (doc.get(object)) return std::nullopt;
  return object;
}

std::optional<std::string_view> string_field(const simdjson::dom::object& o, std::string_view key) {
  std::string_view value;
  if (o[key].get(value)) return std::nullopt;
  return value;
}

// An optional positive integer field: nullopt when absent, -1 when present but invalid.
std::optional<std::int64_t> positive_field(const simdjson::dom::object& o, std::string_view key) {
  simdjson::dom::element e;
  if (o[key].get(e)) return std::nullopt;
  if (e.is_null()) return std::nullopt;
  std::int64_t value;
  if (e.get(value) || value <= 0) return -1;
  return value;
}

std::string short_name(const std::string& id) { return "user-" + id.substr(0, 8); }

}  // namespace

ChatGateway::ChatGateway(sio::Server& io, store::Store& store, UserDirectory& users, const auth::JwtCodec& jwt,
                         ChatOptions options)
    : io_(io), store_(store), users_(users), jwt_(jwt), options_(options) {}

void ChatGateway::attach() {
  auto& nsp = io_.of("/");
  nsp.use([this](sio::Socket& socket, sio::Namespace::Next next) { authenticate(socket, std::move(next)); });
  nsp.on_connection([this](sio::Socket& socket) { on_connection(socket); });
}

void ChatGateway::authenticate(sio::Socket& socket, sio::Namespace::Next next) {
  std::string_view token_field;
  simdjson::dom::element auth;
  if (!parse_json(socket.handshake().auth, auth)) {
    simdjson::dom::object o;
    if (!auth.get(o)) token_field = string_field(o, "token").value_or("");
  }
  std::string token = auth::extract_bearer(token_field, socket.handshake().header("authorization"));
  auto verified = jwt_.verify(token, now_ms() / 1000);
  auto* claims = std::get_if<auth::Claims>(&verified);
  if (!claims) {
    if (options_.reject_with_connect_error) return next(sio::ConnectError{"Unauthorized", {}});
    socket.data = ChatSession{};  // connects, then is told and dropped (the seed's way)
    return next(std::nullopt);
  }
  std::string user_id = canonical_user_id(claims->sub);
  ChatSession session{true, user_id, claims->exp ? *claims->exp * 1000 : INT64_MAX};
  socket.data = session;
  if (!options_.auto_create_users || users_.cached(user_id)) return next(std::nullopt);

  // First sight of a user of another application: create it from the token's claims. A
  // database problem here is not the client's fault: it connects, and sends report it.
  store::User user{user_id, claims->name.empty() ? short_name(user_id) : claims->name, {}, {}, now_ms()};
  store_.ensure_user(std::move(user), [this, next = std::move(next)](store::Result<store::User> result) {
    if (auto* stored = std::get_if<store::User>(&result)) users_.remember(*stored);
    next(std::nullopt);
  });
}

void ChatGateway::on_connection(sio::Socket& socket) {
  auto* session = std::any_cast<ChatSession>(&socket.data);
  if (!session || !session->authorized) {
    socket.emit("error", sio::RawJson{error_object("Unauthorized")});
    socket.disconnect(true);
    return;
  }
  std::string user_id = session->user_id;
  socket.join(user_room(user_id));
  users_.connected(user_id);
  socket.on_disconnect([this, user_id](sio::Socket&, std::string_view) { users_.disconnected(user_id); });
  socket.on("send_message", [this](sio::Socket& s, const sio::Args& args, sio::Ack ack) { send_message(s, args, ack); });
  socket.on("get_messages", [this](sio::Socket& s, const sio::Args& args, sio::Ack ack) { get_messages(s, args, ack); });
}

// A token that expired during the connection: the next event is refused and the socket dropped.
bool ChatGateway::check_session(sio::Socket& socket, const sio::Ack& ack) {
  auto* session = std::any_cast<ChatSession>(&socket.data);
  if (session && session->authorized && now_ms() < session->expires_at_ms) return true;
  Reply{socket.ref(), ack}.fail("Unauthorized");
  socket.disconnect(true);
  return false;
}

void ChatGateway::send_message(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  if (!check_session(socket, ack)) return;
  Reply reply{socket.ref(), ack};
  auto data = object_arg(args);
  if (!data) return reply.fail("Invalid receiverId");
  auto receiver_id = string_field(*data, "receiverId");
  if (!receiver_id || !is_uuid(*receiver_id)) return reply.fail("Invalid receiverId");
  auto content = string_field(*data, "content");
  if (!content) return reply.fail("Message content cannot be empty");
  if (auto error = content_error(*content, options_.max_message_length)) return reply.fail(*error);
  std::string client_message_id;
  if (simdjson::dom::element key; !(*data)["clientMessageId"].get(key) && !key.is_null()) {
    std::string_view text;
    if (key.get(text) || !is_client_message_id(text)) return reply.fail("Invalid clientMessageId");
    client_message_id = text;
  }

  store::NewMessage message{std::any_cast<ChatSession>(&socket.data)->user_id, canonical_user_id(*receiver_id),
                            std::string(*content), now_ms(), std::move(client_message_id)};
  // Sender, then receiver, then the durable write, then delivery: each step may finish on a
  // store thread; everything it calls is thread-safe.
  std::string sender_id = message.sender_id;
  users_.find(sender_id, [this, reply, message = std::move(message)](auto sender_result) mutable {
    auto* sender = std::get_if<std::optional<UserInfo>>(&sender_result);
    if (!sender) return reply.fail("Failed to send message");
    if (!*sender) return reply.fail("Sender not found");
    std::string receiver_id = message.receiver_id;
    users_.find(receiver_id, [this, reply, sender = **sender, message = std::move(message)](auto receiver_result) mutable {
      auto* receiver = std::get_if<std::optional<UserInfo>>(&receiver_result);
      if (!receiver) return reply.fail("Failed to send message");
      if (!*receiver) return reply.fail("Receiver not found");
      store_.append_direct(std::move(message), [this, reply, sender, receiver = **receiver](store::Result<store::Message> stored) {
        auto* m = std::get_if<store::Message>(&stored);
        if (!m) {
          const auto& failure = std::get<store::Failure>(stored);
          return reply.fail(failure.client_error ? failure.message : "Failed to send message");
        }
        if (reply.ack) reply.ack(sio::RawJson{"{\"success\":true,\"messageId\":" + std::to_string(m->id) + "}"});
        // A retry of a message already stored (its ack was lost): delivered the first time.
        if (m->already_stored) return;
        std::string json;
        append_message(json, *m, {sender.id, sender.name}, {receiver.id, receiver.name});
        auto audience = io_.of("/").to(user_room(sender.id));
        if (receiver.id != sender.id) audience.to(user_room(receiver.id));
        audience.emit("receive_message", sio::RawJson{std::move(json)});
      });
    });
  });
}

void ChatGateway::get_messages(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  if (!check_session(socket, ack)) return;
  Reply reply{socket.ref(), ack};
  auto data = object_arg(args);
  if (!data) return reply.fail("Invalid otherUserId");
  auto other_id = string_field(*data, "otherUserId");
  if (!other_id || !is_uuid(*other_id)) return reply.fail("Invalid otherUserId");
  auto before = positive_field(*data, "before");
  if (before == -1) return reply.fail("Invalid before");
  auto limit = positive_field(*data, "limit");
  if (limit == -1 || (limit && static_cast<std::size_t>(*limit) > options_.max_page)) {
    return reply.fail("Invalid limit (1 to " + std::to_string(options_.max_page) + ")");
  }
  std::size_t page = limit ? static_cast<std::size_t>(*limit) : options_.history_cap;

  std::string me = std::any_cast<ChatSession>(&socket.data)->user_id;
  std::string other = canonical_user_id(*other_id);
  users_.find(me, [this, reply, me, other, before, page](auto me_result) {
    auto* self = std::get_if<std::optional<UserInfo>>(&me_result);
    if (!self) return reply.fail("Failed to load messages");
    UserInfo my = self->value_or(UserInfo{me, ""});
    users_.find(other, [this, reply, my, other, before, page](auto other_result) {
      auto* found = std::get_if<std::optional<UserInfo>>(&other_result);
      if (!found) return reply.fail("Failed to load messages");
      UserInfo them = found->value_or(UserInfo{other, ""});
      store_.direct_history(my.id, them.id, before, page + 1,
                            [reply, my, them, page](store::Result<std::vector<store::Message>> result) {
        auto* messages = std::get_if<std::vector<store::Message>>(&result);
        if (!messages) return reply.fail("Failed to load messages");
        bool has_more = messages->size() > page;
        std::size_t first = has_more ? messages->size() - page : 0;
        std::string json = "[";
        for (std::size_t i = first; i < messages->size(); ++i) {
          const auto& m = (*messages)[i];
          bool mine = m.sender_id == my.id;
          if (i > first) json += ',';
          append_message(json, m, Party{m.sender_id, m.sender_name},
                         mine ? Party{them.id, them.name} : Party{my.id, my.name});
        }
        json += ']';
        reply.socket.emit("messages_list", sio::RawJson{std::move(json)});
        if (reply.ack) reply.ack(sio::RawJson{std::string("{\"success\":true,\"hasMore\":") + (has_more ? "true" : "false") + "}"});
      });
    });
  });
}

}  // namespace parley::chat
