// The store's model of conversations: direct and group conversations, their members with roles
// and read/delivery watermarks, and the conversation log (messages and system entries, each with
// the conversation's next gap-free `seq`). Plain data; the rules that decide who may change what
// live in the chat layer and reach the store as a ConversationDecision (see Store::change_conversation).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace parley::store {

enum class ConversationKind { direct, group };
enum class Role { owner, admin, member };
// A conversation's log holds messages (text and system entries: the history) and the entries
// that change a message (an edit, a deletion, a reaction added or removed), each with its own
// seq, so that a client catching up replays them in order.
enum class EntryKind { text, system, edit, deletion, reaction };
inline bool is_message(EntryKind kind) { return kind == EntryKind::text || kind == EntryKind::system; }

inline const char* to_string(EntryKind kind) {
  switch (kind) {
    case EntryKind::text: return "text";
    case EntryKind::system: return "system";
    case EntryKind::edit: return "edit";
    case EntryKind::deletion: return "delete";
    case EntryKind::reaction: return "reaction";
  }
  return "text";
}
inline EntryKind entry_kind_from_string(std::string_view text) {
  if (text == "system") return EntryKind::system;
  if (text == "edit") return EntryKind::edit;
  if (text == "delete") return EntryKind::deletion;
  if (text == "reaction") return EntryKind::reaction;
  return EntryKind::text;
}

// One emoji on a message and who put it there, in the order they did.
struct Reaction {
  std::string emoji;
  std::vector<std::string> user_ids;
  friend bool operator==(const Reaction&, const Reaction&) = default;
};

// Adds one (emoji, user) row to `reactions`, read in the order of their creation.
inline void add_reaction(std::vector<Reaction>& reactions, std::string_view emoji, std::string user_id) {
  for (auto& r : reactions) {
    if (r.emoji == emoji) {
      r.user_ids.push_back(std::move(user_id));
      return;
    }
  }
  reactions.push_back(Reaction{std::string(emoji), {std::move(user_id)}});
}

// Why a request about a conversation was refused (the client's fault, not the database's).
enum class Refusal {
  forbidden,         // not a member (also: the conversation does not exist), or not allowed
  not_found,         // a user or message named does not exist
  conflict,          // e.g. demoting a group's last owner, a duplicate member
  invalid_argument,  // e.g. a group over its size limit
};

struct Member {
  std::string user_id;
  std::string name;  // filled by reads (users.name)
  Role role = Role::member;
  std::int64_t joined_seq = 0;     // the entry that added it (created / members_added; direct: 1)
  std::int64_t read_seq = 0;       // read up to and including (watermark, never decreases)
  std::int64_t delivered_seq = 0;  // delivered up to (>= read_seq)
};

// A conversation as it is now, without any viewer's point of view.
struct ConversationState {
  std::int64_t id = 0;
  ConversationKind kind = ConversationKind::direct;
  std::optional<std::string> title;  // groups only
  std::int64_t created_at_ms = 0;
  std::int64_t last_seq = 0;
  std::vector<Member> members;  // current members, by joined_seq then user id

  const Member* member(const std::string& user_id) const {
    for (const auto& m : members) {
      if (m.user_id == user_id) return &m;
    }
    return nullptr;
  }
  std::vector<std::string> member_ids() const {
    std::vector<std::string> ids;
    ids.reserve(members.size());
    for (const auto& m : members) ids.push_back(m.user_id);
    return ids;
  }
};

// One entry of a conversation's log: a message or a system entry.
struct LogEntry {
  std::int64_t id = 0;  // message id (global)
  std::int64_t conversation_id = 0;
  std::int64_t seq = 0;
  EntryKind kind = EntryKind::text;
  std::string sender_id;    // for a system entry: the actor
  std::string sender_name;  // filled by reads and appends
  std::string content;      // text; empty for system entries
  std::string system_json;  // system entries: the `system` object as JSON, stored as given
  std::int64_t created_at_ms = 0;
  std::string client_message_id{};  // empty: none
  bool already_stored = false;      // append: a retry answered with the entry stored before
  std::int64_t reply_to_id = 0;     // a message: the message it answers (0: none)
  std::int64_t target_id = 0;       // an edit, deletion or reaction entry: the message it changed
  std::int64_t edited_at_ms = 0;    // a message: when last edited (0: never)
  bool deleted = false;             // a message: deleted (content, revisions, reactions erased)
  std::vector<Reaction> reactions{};  // a message's, filled by reads (by first use of each emoji)
};

// A conversation seen by one of its members (list_conversations, get_conversation).
struct ConversationView {
  ConversationState state;
  std::optional<LogEntry> last_message;  // newest non-deleted entry, system ones included
  std::int64_t unread_count = 0;  // others' non-deleted text entries with seq > read_seq
  std::int64_t last_read_seq = 0;
  std::int64_t last_delivered_seq = 0;
  Role my_role = Role::member;
  std::int64_t last_activity_ms = 0;  // the list's order: created_at of the newest entry (or creation)
};

// Where an append goes: an existing conversation by id, or the direct conversation of the
// sender and `direct_with` (created, with both as members, by the append's own transaction
// when it does not exist yet: the seed's send by receiverId).
struct ConversationRef {
  std::int64_t id = 0;      // when non-zero
  std::string direct_with;  // else: the other user of a direct conversation
};

struct NewEntry {
  ConversationRef to;
  std::string sender_id;
  std::string content;
  std::int64_t created_at_ms = 0;
  // When not empty, a second append with the same sender and key stores nothing and answers
  // with the first entry (already_stored); with other content or another conversation it fails
  // with client_message_id_reused.
  std::string client_message_id{};
  // When non-zero: a message of the same conversation that the sender may see and that is not
  // deleted, else the append is refused (invalid_argument) and nothing is stored.
  std::int64_t reply_to_id = 0;
};

// The sentence of an append refused for its reply_to_id.
inline constexpr std::string_view reply_not_in_conversation = "replyToId is not a message of this conversation";

// --- changing messages (Store::change_message) ---------------------------------------------------

enum class MessageAction { edit, remove, add_reaction, remove_reaction };

struct MessageChange {
  std::int64_t message_id = 0;
  std::string actor_id;
  MessageAction action = MessageAction::edit;
  std::string text;  // edit: the new content; a reaction: its emoji
  std::int64_t at_ms = 0;
};

// What the rules (chat/message_rules) are shown, inside the store's transaction with the
// conversation locked: the message as it is (with its reactions) and its conversation.
struct MessageFacts {
  const LogEntry& message;
  const ConversationState& conversation;
};
// apply: record the change (its entry takes the next seq); unchanged: it is so already (an
// edit to the same text, a reaction already there or not there): success, nothing stored.
enum class MessageEffect { apply, unchanged };
using MessageDecision = std::variant<MessageEffect, Refusal>;
using DecideMessageChange = std::function<MessageDecision(const MessageFacts&)>;

// The answer to change_message, built in its transaction: the change's entry (nullopt when
// nothing changed), the message as it is after it, its conversation's members (the audience),
// and for a deletion each member's unread count after it (state.members' order; else empty).
struct MessageChanged {
  std::optional<LogEntry> entry;
  LogEntry message;
  ConversationState state;
  std::vector<std::int64_t> unread_counts;
};

// One version of a message's text: the original (edited_at_ms 0), then each edit's.
struct Revision {
  std::string content;
  std::int64_t edited_at_ms = 0;
  friend bool operator==(const Revision&, const Revision&) = default;
};

// A message with every version of its text, oldest first, the current one last (a deleted
// message has none: they are erased with it).
struct MessageHistory {
  LogEntry message;
  std::vector<Revision> revisions;
};

// The answer to an append: the stored entry, and the conversation's members at that seq (the
// audience of its push), so the caller needs no second read.
struct Appended {
  LogEntry entry;
  std::vector<std::string> member_ids;
  bool created_conversation = false;  // a direct conversation begun by this message
};

// What a rule decided about a conversation (chat/conversation_rules): the changes to make and
// the system entry that records them, all in one transaction with the entry's seq.
struct ConversationChange {
  std::optional<std::string> title;                            // set the title
  std::vector<std::pair<std::string, Role>> add;               // new members (joined_seq = the entry's seq)
  std::vector<std::string> remove;                             // members removed (rows deleted)
  std::vector<std::pair<std::string, Role>> roles;             // role changes of current members
  std::string actor_id;                                        // the entry's sender
  std::string system_json;                                     // the entry's `system` object
};
using ConversationDecision = std::variant<ConversationChange, Refusal>;
// Runs inside the store's transaction, on a store thread, with the conversation's current state
// (locked against concurrent changes): must be pure and quick.
using DecideChange = std::function<ConversationDecision(const ConversationState&)>;

// The answer to create_group / change_conversation: the system entry and the state after it,
// plus the members that were removed by it (they get conversation_removed), and each current
// member's unread count as of the same transaction (its markers and role are in its Member), so
// every member's view of the change is built from this answer, with no read after it (a read
// could see a later change: a push to a member that change removed).
struct Changed {
  LogEntry entry;
  ConversationState state;
  std::vector<std::string> removed_ids;
  std::vector<std::int64_t> unread_counts;  // state.members' order
};

struct NewGroup {
  std::string title;
  std::string creator_id;                // becomes owner
  std::vector<std::string> member_ids;   // the others, members; each must exist (else not_found)
  std::int64_t created_at_ms = 0;
  std::string system_json;               // the `created` entry's system object (seq 1)
  std::size_t max_members = 1000;        // creator included; beyond: invalid_argument
};

enum class Marker { read, delivered };

struct MarkRequest {
  std::int64_t conversation_id = 0;
  std::string user_id;
  Marker marker = Marker::read;
  std::int64_t seq = 0;  // up to and including; clamped to last_seq
  std::int64_t at_ms = 0;
};

struct Marked {
  bool moved = false;  // false: the marker was already at or past seq (nothing changed)
  std::int64_t read_seq = 0;
  std::int64_t delivered_seq = 0;
  std::int64_t unread_count = 0;
  std::vector<std::string> member_ids;  // audience of the receipt
};

struct LogRequest {
  ConversationRef of;      // id, or the direct conversation of `viewer_id` and direct_with
  std::string viewer_id;   // must be a member (else forbidden; a direct pair with no messages: empty)
  std::optional<std::int64_t> before_seq;  // exclusive
  std::size_t limit = 100;  // the newest `limit` entries at or after the viewer's joined_seq
};

// A page of the log, oldest first, and the conversation it belongs to (members with names: the
// receiver of a direct message). A direct pair that has no conversation yet: no entries and
// state.id == 0.
struct LogPage {
  std::vector<LogEntry> entries;
  ConversationState state;
};

struct ConversationPage {
  std::vector<ConversationView> conversations;
  // Cursor of the next page (opaque to clients: last_activity_ms and id of the last one), or
  // nullopt on the last page.
  std::optional<std::pair<std::int64_t, std::int64_t>> next;
};

struct ListRequest {
  std::string user_id;
  std::optional<std::pair<std::int64_t, std::int64_t>> after;  // a ConversationPage::next
  std::size_t limit = 50;
};

// --- catching up (Store::sync) -------------------------------------------------------------------

// What a client that was away asks for: every conversation of `user_id` whose log goes past what
// the client has (`known`: conversation id -> the last seq it has; absent: nothing of it), in
// ascending conversation id order after `after_conversation`, at most `max_conversations` per
// page (and fewer when the page's entries pass `max_entries`).
struct SyncRequest {
  std::string user_id;
  std::unordered_map<std::int64_t, std::int64_t> known;
  std::size_t limit = 100;  // entries per conversation: beyond, the newest `limit` (limited)
  std::int64_t after_conversation = 0;
  std::size_t max_conversations = 50;
  std::size_t max_entries = 2000;
};

// One conversation's missed part of the log, as its member sees it now.
struct SyncedConversation {
  ConversationView view;
  // Every entry (messages, system entries, edits, deletions, reaction changes) with seq above
  // both the client's and the member's joining, up to view.state.last_seq, oldest first;
  // messages as they are now, with their reactions.
  std::vector<LogEntry> entries{};
  bool limited = false;  // more were due: these are the newest `limit`
  // The messages that the change entries (edit, deletion, reaction) changed, as they are now
  // (with their reactions), by id.
  std::unordered_map<std::int64_t, LogEntry> changed{};
};

struct SyncPage {
  std::vector<SyncedConversation> conversations;
  std::optional<std::int64_t> next;  // the after_conversation of the next page; nullopt: the last
  // The conversations of `known` that the user is no longer a member of (left, removed, or never
  // one), ascending; on the first page only (after_conversation 0).
  std::vector<std::int64_t> gone;
};

// The store's own sentence for a refusal (the chat layer's rules usually give a better one).
inline const char* describe(Refusal why) {
  switch (why) {
    case Refusal::forbidden: return "not allowed";
    case Refusal::not_found: return "not found";
    case Refusal::conflict: return "conflicts with the conversation's current state";
    case Refusal::invalid_argument: return "invalid request";
  }
  return "refused";
}

inline const char* to_string(Role role) {
  switch (role) {
    case Role::owner: return "owner";
    case Role::admin: return "admin";
    case Role::member: return "member";
  }
  return "member";
}

inline std::optional<Role> role_from_string(std::string_view text) {
  if (text == "owner") return Role::owner;
  if (text == "admin") return Role::admin;
  if (text == "member") return Role::member;
  return std::nullopt;
}

}  // namespace parley::store
