#include "chat/gateway.hpp"

#include <chrono>

#include "chat/display_name.hpp"
#include "chat/message_json.hpp"
#include "chat/validation.hpp"

namespace parley::chat {

namespace {

const ChatError unauthorized{ErrorCode::unauthorized, "Unauthorized"};
bool any_enabled(const ActionLimits& limits) {
  return limits.send.enabled() || limits.history.enabled() || limits.typing.enabled() || limits.mark.enabled();
}

// The name of a user created from a token without a `name` claim.
// The name a user created from another application's token is shown with: the token's `name`
// claim when it is a proper display name (chat/display_name.hpp), else a short form of its id.
std::string name_from_claims(const std::string& claimed, const std::string& id) {
  auto normalized = normalize_display_name(claimed);
  if (auto* name = std::get_if<std::string>(&normalized)) return std::move(*name);
  return "user-" + id.substr(0, 8);
}

}  // namespace

ChatGateway::ChatGateway(sio::Server& io, sio::transport::EventLoops& loops, store::Store& store, UserDirectory& users,
                         const auth::JwtCodec& jwt, Delivery& delivery, ChatOptions options)
    : io_(io),
      store_(store),
      users_(users),
      jwt_(jwt),
      options_(options),
      user_allowances_(options.per_user),
      address_allowances_(options.per_address),
      deliveries_(options.delivery_memory),
      delivery_(delivery),
      messages_(store, users, delivery_, deliveries_, kinds_),
      conversations_(store, delivery_, kinds_, options_.conversations),
      receipts_(store, delivery_),
      typing_(store, delivery_, loops, options_.typing),
      changes_(store, delivery_, options_.message_changes),
      presence_(store, delivery_, loops, options_.presence),
      sync_(store, options_.sync),
      expiry_(loops, [](sio::Socket& socket) {
        socket.emit("error", sio::RawJson{error_event(unauthorized)});
        socket.disconnect(true);
      }) {
  // A message or leaving a conversation ends the sender's (the leaver's) typing there.
  messages_.after_push([this](const store::LogEntry& entry) { typing_.sent(entry.sender_id, entry.conversation_id); });
  conversations_.after_publish([this](const store::Changed& changed) { typing_.members_changed(changed.state); });
}

ChatGateway::~ChatGateway() = default;

void ChatGateway::attach() {
  presence_.load();
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
  if (users_.connected(session->user_id)) presence_.connected(session->user_id);
  if (session->expires_at_ms != INT64_MAX) expiry_.watch(socket, session->expires_at_ms);
  socket.on_disconnect([this](sio::Socket& s, std::string_view) { on_disconnect(s); });
  // One handler that dispatches by name: a socket holds one std::function (capturing only
  // `this`, so without an allocation), not one per event (about 1.5 KiB per connection).
  socket.on_any([this](sio::Socket& s, std::string_view event, const sio::Args& args, sio::Ack ack) {
    if (Handler handler = handler_of(event)) (this->*handler)(s, args, std::move(ack));
  });
}

// The events' handlers by name, the one-to-one events first. An unknown event is ignored, as
// Socket.IO servers do.
ChatGateway::Handler ChatGateway::handler_of(std::string_view event) {
  static constexpr std::pair<std::string_view, Handler> events[] = {
      {"send_message", &ChatGateway::send_message},
      {"get_messages", &ChatGateway::get_messages},
      {"create_conversation", &ChatGateway::create_conversation},
      {"list_conversations", &ChatGateway::list_conversations},
      {"get_conversation", &ChatGateway::get_conversation},
      {"update_conversation", &ChatGateway::update_conversation},
      {"add_members", &ChatGateway::add_members},
      {"remove_member", &ChatGateway::remove_member},
      {"set_role", &ChatGateway::set_role},
      {"leave_conversation", &ChatGateway::leave_conversation},
      {"mark_read", &ChatGateway::mark_read},
      {"mark_delivered", &ChatGateway::mark_delivered},
      {"get_receipts", &ChatGateway::get_receipts},
      {"typing", &ChatGateway::typing},
      {"get_presence", &ChatGateway::get_presence},
      {"set_presence", &ChatGateway::set_presence},
      {"edit_message", &ChatGateway::edit_message},
      {"delete_message", &ChatGateway::delete_message},
      {"add_reaction", &ChatGateway::add_reaction},
      {"remove_reaction", &ChatGateway::remove_reaction},
      {"get_message_history", &ChatGateway::get_message_history},
      {"sync", &ChatGateway::sync},
  };
  for (const auto& [name, handler] : events) {
    if (name == event) return handler;
  }
  return nullptr;
}

void ChatGateway::on_disconnect(sio::Socket& socket) {
  auto* session = std::any_cast<ChatSession>(&socket.data);
  if (!session) return;
  if (session->expires_at_ms != INT64_MAX) expiry_.forget(socket, session->expires_at_ms);
  if (users_.disconnected(session->user_id)) {
    typing_.gone(session->user_id);
    presence_.disconnected(session->user_id);
  }
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

ChatSession* ChatGateway::admitted(sio::Socket& socket, Action action, const Reply& reply) {
  auto* session = live_session(socket, reply);
  if (!session || !admit(socket, *session, action, reply)) return nullptr;
  return session;
}

ChatError store_error(const store::Failure& failure, std::string_view database_message) {
  if (failure.refusal && !failure.outcome_unknown) {
    switch (*failure.refusal) {
      case store::Refusal::forbidden: return {ErrorCode::forbidden, "Not allowed: " + failure.message};
      case store::Refusal::not_found: return {ErrorCode::not_found, "Not found: " + failure.message};
      case store::Refusal::conflict: return {ErrorCode::conflict, "Conflict: " + failure.message};
      case store::Refusal::invalid_argument: return {ErrorCode::invalid_argument, "Invalid: " + failure.message};
    }
  }
  if (failure.client_error && !failure.outcome_unknown) {
    bool conflict = failure.message == store::client_message_id_reused;
    return {conflict ? ErrorCode::conflict : ErrorCode::invalid_argument, failure.message};
  }
  // Nothing stored, or (outcome_unknown) perhaps stored: either way the client retries, with
  // its clientMessageId if it gave one, and the retry is delivered (DeliveryMemory).
  return {ErrorCode::unavailable, std::string(database_message)};
}

}  // namespace parley::chat
