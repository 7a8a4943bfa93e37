// The chat's Socket.IO API on the main namespace (docs/api.md): authentication of every
// connection by JWT (and its end when the token expires), per-user and per-address rate limits,
// then the events. The gateway is thin: each event's handler decodes and validates its
// arguments (chat/args, chat/conversation_args), asks the store under the rules
// (chat/conversation_rules), answers with the encoders (chat/message_json, chat/conversation_json)
// and pushes through the Delivery seam. The handlers live in one file per feature area:
// events_messages.cpp, events_conversations.cpp, events_receipts.cpp, events_live.cpp,
// events_message_changes.cpp, events_sync.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/jwt.hpp"
#include "chat/allowance.hpp"
#include "chat/args.hpp"
#include "chat/conversation_args.hpp"
#include "chat/conversation_service.hpp"
#include "chat/message_change_service.hpp"
#include "chat/message_service.hpp"
#include "chat/presence_service.hpp"
#include "chat/receipt_service.hpp"
#include "chat/delivery.hpp"
#include "chat/reply.hpp"
#include "chat/delivery_memory.hpp"
#include "chat/directory.hpp"
#include "chat/session_expiry.hpp"
#include "chat/sync_service.hpp"
#include "chat/typing_service.hpp"
#include "sio/socketio/server.hpp"
#include "sio/transport/event_loops.hpp"
#include "store/store.hpp"

namespace parley::chat {

struct ChatOptions {
  ArgLimits args{};  // message length, history page sizes
  ConversationLimits conversations{};  // titles, group size (MAX_GROUP_MEMBERS), list pages
  TypingLimits typing{};               // how long a typing state lasts
  MessageRules message_changes{};      // the edit window (EDIT_WINDOW), reactions per message
  PresenceOptions presence{};          // the grace before offline (PRESENCE_GRACE), pushes per user
  SyncLimits sync{};                   // sync's page sizes
  bool auto_create_users = true;
  bool reject_with_connect_error = false;
  // get_messages a socket may have waiting for the database at once; beyond, RATE_LIMITED.
  std::size_t max_history_reads_in_flight = 4;
  // Rate limits (0: off). Per address, loopback addresses are exempt unless limit_loopback.
  ActionLimits per_user{{20, 100}, {10, 50}, {10, 30}, {50, 200}};
  ActionLimits per_address{{200, 1000}, {100, 500}, {100, 300}, {500, 2000}};
  bool limit_loopback = false;
  // RATE_LIMITED answers a socket may get (a burst, then per second) before it is disconnected
  // for ignoring retryAfterMs.
  sio::util::RateLimit refusals{10, 100};
  std::size_t delivery_memory = 100'000;  // message ids remembered as delivered (DeliveryMemory)
};

// What a socket knows about its user, kept in sio::Socket::data (used on the socket's loop).
struct ChatSession {
  bool authorized = false;
  std::uint16_t history_reads = 0;  // get_messages waiting for the database
  std::string user_id;
  std::int64_t expires_at_ms = INT64_MAX;
  std::shared_ptr<Allowance> user_allowance;     // null: no per-user limit
  std::shared_ptr<Allowance> address_allowance;  // null: no per-address limit (or exempt)
  sio::util::TokenBucket refusals;               // RATE_LIMITED answers (ChatOptions::refusals)
  // Set when creating the user at connect failed (the database did not answer): the first
  // send creates it then. Null otherwise.
  std::shared_ptr<const store::User> uncreated_user;
};

class ChatGateway {
 public:
  // `delivery` carries every push (LocalDelivery: this process's sockets) and outlives the gateway.
  ChatGateway(sio::Server& io, sio::transport::EventLoops& loops, store::Store& store, UserDirectory& users,
              const auth::JwtCodec& jwt, Delivery& delivery, ChatOptions options);
  ~ChatGateway();

  // Installs the middleware and handlers on io.of("/").
  void attach();

  // Who is online, as the HTTP API's people search shows it too.
  PresenceService& presence() { return presence_; }

 private:
  using Handler = void (ChatGateway::*)(sio::Socket&, const sio::Args&, sio::Ack);
  static Handler handler_of(std::string_view event);
  void authenticate(sio::Socket& socket, sio::Namespace::Next next);
  void refuse(sio::Socket& socket, const sio::Namespace::Next& next);
  void on_connection(sio::Socket& socket);
  void on_disconnect(sio::Socket& socket);
  ChatSession* live_session(sio::Socket& socket, const Reply& reply);
  bool admit(sio::Socket& socket, ChatSession& session, Action action, const Reply& reply);
  // The session of a socket whose event may go on (live and within its `action` allowance).
  ChatSession* admitted(sio::Socket& socket, Action action, const Reply& reply);

  // events_messages.cpp
  void send_message(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void get_messages(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  // events_conversations.cpp
  void create_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void list_conversations(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void get_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void update_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void add_members(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void remove_member(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void set_role(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void leave_conversation(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  // events_receipts.cpp
  void mark_read(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void mark_delivered(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void mark(sio::Socket& socket, const sio::Args& args, sio::Ack ack, store::Marker marker);
  void get_receipts(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  // events_live.cpp
  void typing(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void get_presence(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void set_presence(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  // events_message_changes.cpp
  void edit_message(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void delete_message(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void add_reaction(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void remove_reaction(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  void react(sio::Socket& socket, const sio::Args& args, sio::Ack ack, bool add);
  void get_message_history(sio::Socket& socket, const sio::Args& args, sio::Ack ack);
  // events_sync.cpp
  void sync(sio::Socket& socket, const sio::Args& args, sio::Ack ack);

  sio::Server& io_;
  store::Store& store_;
  UserDirectory& users_;
  const auth::JwtCodec& jwt_;
  ChatOptions options_;
  AllowanceTable user_allowances_;
  AllowanceTable address_allowances_;
  DeliveryMemory deliveries_;
  Delivery& delivery_;
  ConversationKinds kinds_;
  MessageService messages_;            // sends and history
  ConversationService conversations_;  // the rules and pushes of conversation changes
  ReceiptService receipts_;            // read and delivery markers
  TypingService typing_;               // who is typing where (in memory)
  MessageChangeService changes_;       // edits, deletions, reactions
  PresenceService presence_;           // who is online (in memory), last seen (stored)
  SyncService sync_;                   // catching up
  SessionExpiry expiry_;
};

}  // namespace parley::chat
