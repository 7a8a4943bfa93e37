#include "chat/gateway.hpp"

#include <chrono>

#include "chat/display_name.hpp"
#include "chat/message_json.hpp"
#include "chat/validation.hpp"

namespace parley::chat {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const ChatError unauthorized{ErrorCode::unauthorized, "Unauthorized"};
// A hint only: how soon a read in flight usually ends.
constexpr std::int64_t history_busy_retry_ms = 100;

std::optional<std::string_view> first_argument(const sio::Args& args) {
  if (args.empty()) return std::nullopt;
  return args[0];
}

bool any_enabled(const ActionLimits& limits) {
  return limits.send.enabled() || limits.history.enabled() || limits.typing.enabled();
}

// The name of a user created from a token without a `name` claim.
// The name a user created from another application's token is shown with: the token's `name`
// claim when it is a proper display name (chat/display_name.hpp), else a short form of its id.
std::string name_from_claims(const std::string& claimed, const std::string& id) {
  auto normalized = normalize_display_name(claimed);
  if (auto* name = std::get_if<std::string>(&normalized)) return std::move(*name);
  return "user-" + id.substr(0, 8);
}

// Whether a store failure is the client's (its message is for the client) or the database's.
ChatError store_error(const store::Failure& failure, std::string_view database_message) {
  if (failure.client_error && !failure.outcome_unknown) {
    bool conflict = failure.message == store::client_message_id_reused;
    return {conflict ? ErrorCode::conflict : ErrorCode::invalid_argument, failure.message};
  }
  // Nothing stored, or (outcome_unknown) perhaps stored: either way the client retries, with
  // its clientMessageId if it gave one, and the retry is delivered (DeliveryMemory).
  return {ErrorCode::unavailable, std::string(database_message)};
}

}  // namespace

// Where an answer goes: the socket (for `error` events) and the client's ack, if it asked.
// Usable from any thread.
struct ChatGateway::Reply {
  sio::Socket::Ref socket;
  sio::Ack ack;
  std::string_view event;  // a literal

  void fail(const ChatError& error) const {
    socket.emit("error", sio::RawJson{error_event(error, event)});
    if (ack) ack(sio::RawJson{failure_ack(error)});
  }
};

ChatGateway::ChatGateway(sio::Server& io, sio::transport::EventLoops& loops, store::Store& store, UserDirectory& users,
                         const auth::JwtCodec& jwt, ChatOptions options)
    : io_(io),
      store_(store),
      users_(users),
      jwt_(jwt),
      options_(options),
      user_allowances_(options.per_user),
      address_allowances_(options.per_address),
      deliveries_(options.delivery_memory),
      expiry_(loops, [](sio::Socket& socket) {
        socket.emit("error", sio::RawJson{error_event(unauthorized)});
        socket.disconnect(true);
      }) {}

void ChatGateway::attach() {
  auto& nsp = io_.of("/");
  nsp.use([this](sio::Socket& socket, sio::Namespace::Next next) { authenticate(socket, std::move(next)); });
  nsp.on_connection([this](sio::Socket& socket) { on_connection(socket); });
}

// A refused token: CONNECT_ERROR when so configured, else the seed's way (the socket
// connects, then is told "Unauthorized" and dropped, in on_connection).
void ChatGateway::refuse(sio::Socket& socket, const sio::Namespace::Next& next) {
  if (options_.reject_with_connect_error) return next(sio::ConnectError{"Unauthorized", {}});
  socket.data = ChatSession{};
  next(std::nullopt);
}

// The middleware. Its continuations may run on a store thread: they write socket.data before
// calling `next`, which hands the socket to its loop (so the loop sees the write), and nothing
// reads the data of a socket that is not connected yet. `next` owns the socket meanwhile.
void ChatGateway::authenticate(sio::Socket& socket, sio::Namespace::Next next) {
  std::string token = auth::extract_bearer(token_of_auth(socket.handshake().auth), socket.handshake().header("authorization"));
  auto verified = jwt_.verify(token, now_ms() / 1000);
  auto* claims = std::get_if<auth::Claims>(&verified);
  if (!claims) return refuse(socket, next);

  ChatSession session;
  session.authorized = true;
  session.user_id = canonical_user_id(claims->sub);
  if (claims->exp) session.expires_at_ms = *claims->exp * 1000;
  if (any_enabled(options_.per_user)) session.user_allowance = user_allowances_.find(session.user_id);
  const std::string& address = socket.handshake().address();
  if (any_enabled(options_.per_address) && (options_.limit_loopback || !is_loopback_address(address))) {
    session.address_allowance = address_allowances_.find(address);
  }
  if (users_.cached(session.user_id)) {
    socket.data = std::move(session);
    return next(std::nullopt);
  }

  if (!options_.auto_create_users) {
    // Only users that exist may connect. When the database does not answer, that is not the
    // client's fault: it connects, and its sends look the user up again.
    std::string user_id = session.user_id;
    users_.find(user_id, [this, &socket, session = std::move(session), next = std::move(next)](auto result) mutable {
      auto* found = std::get_if<std::optional<UserInfo>>(&result);
      if (found && !*found) return refuse(socket, next);
      socket.data = std::move(session);
      next(std::nullopt);
    });
    return;
  }

  // First sight of a user of another application: create it from the token's claims. When the
  // database does not answer, the client connects and its first send creates the user.
  auto user = std::make_shared<store::User>(
      store::User{session.user_id, name_from_claims(claims->name, session.user_id), {}, {}, now_ms()});
  store_.ensure_user(*user, [this, &socket, user, session = std::move(session),
                             next = std::move(next)](store::Result<store::User> result) mutable {
    if (auto* stored = std::get_if<store::User>(&result)) {
      users_.remember(*stored);
    } else {
      session.uncreated_user = std::move(user);
    }
    socket.data = std::move(session);
    next(std::nullopt);
  });
}

void ChatGateway::on_connection(sio::Socket& socket) {
  auto* session = std::any_cast<ChatSession>(&socket.data);
  if (!session || !session->authorized) {
    socket.emit("error", sio::RawJson{error_event(unauthorized)});
    socket.disconnect(true);
    return;
  }
  session->history_reads = 0;  // a recovered session's reads in flight ended with it
  socket.join(user_room(session->user_id));
  users_.connected(session->user_id);
  if (session->expires_at_ms != INT64_MAX) expiry_.watch(socket, session->expires_at_ms);
  // The handlers capture nothing but `this`: they fit in std::function without an allocation.
  socket.on_disconnect([this](sio::Socket& s, std::string_view) { on_disconnect(s); });
  socket.on("send_message", [this](sio::Socket& s, const sio::Args& args, sio::Ack ack) { send_message(s, args, ack); });
  socket.on("get_messages", [this](sio::Socket& s, const sio::Args& args, sio::Ack ack) { get_messages(s, args, ack); });
}

void ChatGateway::on_disconnect(sio::Socket& socket) {
  auto* session = std::any_cast<ChatSession>(&socket.data);
  if (!session) return;
  if (session->expires_at_ms != INT64_MAX) expiry_.forget(socket, session->expires_at_ms);
  users_.disconnected(session->user_id);
}

// The socket's session while its token is valid. The expiry timer ends a connection at its
// token's `exp`; an event racing that timer is refused here the same way.
ChatSession* ChatGateway::live_session(sio::Socket& socket, const Reply& reply) {
  auto* session = std::any_cast<ChatSession>(&socket.data);
  if (session && session->authorized && now_ms() < session->expires_at_ms) return session;
  reply.fail(unauthorized);
  socket.disconnect(true);
  return nullptr;
}

// One token of `action` from the user's allowance and the address's; RATE_LIMITED when either
// has none (then neither is spent). A socket that goes on sending regardless of retryAfterMs
// (more refusals than its own refusal allowance) is told so and disconnected: refusing it
// costs too (each refusal is an ack and an error event), and a client that waits as told
// never comes near that allowance.
bool ChatGateway::admit(sio::Socket& socket, ChatSession& session, Action action, const Reply& reply) {
  auto now = sio::util::RateClock::now();
  sio::util::RateDecision decision;
  if (session.user_allowance) decision = session.user_allowance->take(action, now);
  if (decision && session.address_allowance) {
    decision = session.address_allowance->take(action, now);
    if (!decision && session.user_allowance) session.user_allowance->give_back(action, now);
  }
  if (decision) return true;
  ChatError limited{ErrorCode::rate_limited, "Too many requests", decision.retry_after.count()};
  reply.fail(limited);
  if (!session.refusals.take(options_.refusals, now)) {
    socket.emit("error", sio::RawJson{error_event(limited)});
    socket.disconnect(true);
  }
  return false;
}

// The sender, from the directory; created now when that failed at connect.
void ChatGateway::find_sender(const ChatSession& session,
                              std::function<void(store::Result<std::optional<UserInfo>>)> done) {
  users_.find(session.user_id, [this, uncreated = session.uncreated_user, done = std::move(done)](auto result) mutable {
    auto* found = std::get_if<std::optional<UserInfo>>(&result);
    if (!found || *found || !uncreated) return done(std::move(result));
    store_.ensure_user(*uncreated, [this, done = std::move(done)](store::Result<store::User> created) {
      if (auto* failure = store::failed(created)) return done(*failure);
      const auto& user = std::get<store::User>(created);
      users_.remember(user);
      done(std::optional<UserInfo>(UserInfo{user.id, user.name}));
    });
  });
}

void ChatGateway::send_message(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "send_message"};
  auto* session = live_session(socket, reply);
  if (!session || !admit(socket, *session, Action::send, reply)) return;
  auto parsed = parse_send_message(first_argument(args), options_.args);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  auto& request = std::get<SendRequest>(parsed);
  store::NewMessage message{session->user_id, std::move(request.receiver_id), std::move(request.content), now_ms(),
                            std::move(request.client_message_id)};

  // Sender, then receiver, then the durable write, then delivery: each step may finish on a
  // store thread; everything it calls is thread-safe.
  find_sender(*session, [this, reply, message = std::move(message)](auto sender_result) mutable {
    auto* sender = std::get_if<std::optional<UserInfo>>(&sender_result);
    if (!sender) return reply.fail({ErrorCode::unavailable, "Failed to send message"});
    if (!*sender) return reply.fail({ErrorCode::not_found, "Sender not found"});
    std::string receiver_id = message.receiver_id;
    users_.find(receiver_id, [this, reply, sender = **sender, message = std::move(message)](auto receiver_result) mutable {
      auto* receiver = std::get_if<std::optional<UserInfo>>(&receiver_result);
      if (!receiver) return reply.fail({ErrorCode::unavailable, "Failed to send message"});
      if (!*receiver) return reply.fail({ErrorCode::not_found, "Receiver not found"});
      bool keyed = !message.client_message_id.empty();
      store_.append_direct(std::move(message), [this, reply, sender, receiver = **receiver, keyed](store::Result<store::Message> stored) {
        auto* m = std::get_if<store::Message>(&stored);
        if (!m) return reply.fail(store_error(std::get<store::Failure>(stored), "Failed to send message"));
        if (reply.ack) reply.ack(sio::RawJson{"{\"success\":true,\"messageId\":" + std::to_string(m->id) + "}"});
        // A message with a clientMessageId may come again (already_stored) when its sender
        // retries. The database does not say whether anyone received it the first time: this
        // process delivers it unless it remembers having done so (DeliveryMemory says why).
        if (keyed && !deliveries_.first_delivery(m->id)) return;
        deliver(*m, sender, receiver);
      });
    });
  });
}

void ChatGateway::deliver(const store::Message& message, const UserInfo& sender, const UserInfo& receiver) {
  std::string json;
  append_message(json, message, {sender.id, sender.name}, {receiver.id, receiver.name});
  auto audience = io_.of("/").to(user_room(sender.id));
  if (receiver.id != sender.id) audience.to(user_room(receiver.id));
  audience.emit("receive_message", sio::RawJson{std::move(json)});
}

void ChatGateway::get_messages(sio::Socket& socket, const sio::Args& args, sio::Ack ack) {
  Reply reply{socket.ref(), std::move(ack), "get_messages"};
  auto* session = live_session(socket, reply);
  if (!session || !admit(socket, *session, Action::history, reply)) return;
  auto parsed = parse_get_messages(first_argument(args), options_.args);
  if (auto* error = std::get_if<ChatError>(&parsed)) return reply.fail(*error);
  if (session->history_reads >= options_.max_history_reads_in_flight) {
    return reply.fail({ErrorCode::rate_limited, "Too many requests", history_busy_retry_ms});
  }
  ++session->history_reads;
  auto request = std::get<HistoryRequest>(std::move(parsed));

  // Every answer ends the read on the socket's loop: the list, then the ack (in that order,
  // as clients expect), or the failure.
  auto finish = [reply](std::optional<std::string> list, bool has_more, std::optional<ChatError> error) {
    reply.socket.post([reply, list = std::move(list), has_more, error = std::move(error)](sio::Socket& s) mutable {
      if (auto* session = std::any_cast<ChatSession>(&s.data); session && session->history_reads > 0) {
        --session->history_reads;
      }
      if (error) return reply.fail(*error);
      s.emit("messages_list", sio::RawJson{std::move(*list)});
      if (reply.ack) reply.ack(sio::RawJson{std::string("{\"success\":true,\"hasMore\":") + (has_more ? "true" : "false") + "}"});
    });
  };
  const ChatError load_failed{ErrorCode::unavailable, "Failed to load messages"};
  std::string me = session->user_id;
  users_.find(me, [this, finish, load_failed, me, request = std::move(request)](auto me_result) {
    auto* self = std::get_if<std::optional<UserInfo>>(&me_result);
    if (!self) return finish(std::nullopt, false, load_failed);
    UserInfo my = self->value_or(UserInfo{me, ""});
    users_.find(request.other_user_id, [this, finish, load_failed, my, request](auto other_result) {
      auto* found = std::get_if<std::optional<UserInfo>>(&other_result);
      if (!found) return finish(std::nullopt, false, load_failed);
      UserInfo them = found->value_or(UserInfo{request.other_user_id, ""});
      std::size_t page = request.limit;
      store_.direct_history(my.id, them.id, request.before, page + 1,
                            [finish, load_failed, my, them, page](store::Result<std::vector<store::Message>> result) {
        auto* messages = std::get_if<std::vector<store::Message>>(&result);
        if (!messages) return finish(std::nullopt, false, load_failed);
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
        finish(std::move(json), has_more, std::nullopt);
      });
    });
  });
}

}  // namespace parley::chat
