// libFuzzer target for the chat's handling of untrusted event arguments (chat/args.hpp,
// chat/conversation_args.hpp, chat/live_args.hpp, chat/message_change_args.hpp): the
// input is the JSON text of an event's first argument (or of a CONNECT auth object). Nothing
// may crash, and every request that parses must satisfy the rules the gateway relies on.
//
//   CXX=clang++ cmake -S . -B build-fuzz -DPARLEY_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
//   cmake --build build-fuzz --target fuzz_chat_args
//   build-fuzz/fuzz_chat_args -max_total_time=60 tests/fuzz/corpus/fuzz_chat_args
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "chat/args.hpp"
#include "chat/conversation_args.hpp"
#include "chat/emoji.hpp"
#include "chat/live_args.hpp"
#include "chat/message_change_args.hpp"
#include "chat/sync_args.hpp"
#include "chat/json_args.hpp"
#include "chat/validation.hpp"

using namespace parley::chat;

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

bool is_integer_text(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A user id the gateway may look up: a valid id string, or an integer's decimal text.
void check_user_id(const std::string& id) {
  check(is_user_id(id) || is_integer_text(id));
  check(canonical_user_id(id) == id);
}

void check_refusal(const ChatError& error) {
  check(!error.message.empty());
  check(error.code == ErrorCode::invalid_argument);
}

template <class T, class Check>
void expect(const Parsed<T>& parsed, Check valid) {
  if (auto* request = std::get_if<T>(&parsed)) {
    valid(*request);
  } else {
    check_refusal(std::get<ChatError>(parsed));
  }
}

void check_user_ids(const std::vector<std::string>& ids, std::size_t max) {
  check(!ids.empty() && ids.size() <= max);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    check_user_id(ids[i]);
    for (std::size_t j = 0; j < i; ++j) check(ids[i] != ids[j]);
  }
}

// The conversation events: small limits, so that both sides of each are reached.
void check_conversation_args(std::string_view text) {
  const ConversationLimits limits{.max_title_length = 8, .max_group_members = 4, .default_list_page = 3, .max_list_page = 5};
  auto title_ok = [&](const std::string& title) {
    check(!is_blank(title) && count_characters(title) <= limits.max_title_length);
  };
  expect(parse_create_conversation(text, limits), [&](const CreateGroupRequest& r) {
    title_ok(r.title);
    check_user_ids(r.member_ids, limits.max_group_members);
  });
  expect(parse_list_conversations(text, limits), [&](const ListRequestArgs& r) {
    check(r.limit >= 1 && r.limit <= limits.max_list_page);
    if (r.after) check(decode_cursor(encode_cursor(*r.after)) == r.after);
  });
  expect(parse_conversation_request(text), [](const ConversationRequest& r) { check(r.conversation_id > 0); });
  expect(parse_update_conversation(text, limits), [&](const RenameRequest& r) {
    check(r.conversation_id > 0);
    title_ok(r.title);
  });
  expect(parse_add_members(text, limits), [&](const AddMembersRequest& r) {
    check(r.conversation_id > 0);
    check_user_ids(r.user_ids, limits.max_group_members);
  });
  expect(parse_remove_member(text), [](const MemberRequest& r) {
    check(r.conversation_id > 0);
    check_user_id(r.user_id);
  });
  expect(parse_set_role(text), [](const MemberRequest& r) {
    check(r.conversation_id > 0);
    check_user_id(r.user_id);
  });
  expect(parse_mark(text), [](const MarkArgs& r) { check(r.conversation_id > 0 && r.seq >= 0); });
  if (auto cursor = decode_cursor(text)) check(cursor->first >= 0 && cursor->second > 0);
  expect(parse_typing(text), [](const TypingRequest& r) { check(r.conversation_id > 0); });
  expect(parse_get_presence(text), [](const PresenceRequest& r) { check_user_ids(r.user_ids, max_presence_ids); });
  expect(parse_set_presence(text), [](const AppearOfflineRequest&) {});
  const SyncLimits sync_limits{.default_limit = 3, .max_limit = 5, .max_known = 4};
  expect(parse_sync(text, sync_limits), [&](const SyncArgs& r) {
    check(r.limit >= 1 && r.limit <= sync_limits.max_limit && r.known.size() <= sync_limits.max_known && r.after >= 0);
    for (const auto& [id, seq] : r.known) check(id > 0 && seq >= 0);
  });
  if (auto after = decode_sync_cursor(text)) check(*after > 0 && encode_sync_cursor(*after) == text);
}

// The events that change messages.
void check_message_change_args(std::string_view text, const ArgLimits& limits) {
  auto edit = parse_edit_message(text, limits);
  if (auto* r = std::get_if<EditRequest>(&edit)) {
    check(r->message_id > 0 && !is_blank(r->content) && count_characters(r->content) <= limits.max_message_length);
  } else {
    auto code = std::get<ChatError>(edit).code;
    check(code == ErrorCode::invalid_argument || code == ErrorCode::too_large);
  }
  expect(parse_message_ref(text), [](const MessageRef& r) { check(r.message_id > 0); });
  expect(parse_reaction(text), [](const ReactionRequest& r) {
    check(r.message_id > 0 && !r.emoji.empty() && r.emoji.size() <= max_emoji_bytes);
  });
  is_reaction_emoji(text);  // any bytes at all
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // A small content limit, so that both sides of it are reached.
  const ArgLimits limits{.max_message_length = 16, .default_page = 100, .max_page = 200};

  auto send = parse_send_message(text, limits);
  if (auto* request = std::get_if<SendRequest>(&send)) {
    if (request->conversation_id) {
      check(request->conversation_id > 0 && request->receiver_id.empty());
    } else {
      check_user_id(request->receiver_id);
    }
    check(!is_blank(request->content));
    check(count_characters(request->content) <= limits.max_message_length);
    check(request->client_message_id.empty() || is_client_message_id(request->client_message_id));
    check(request->reply_to_id >= 0);
  } else {
    const auto& error = std::get<ChatError>(send);
    check(!error.message.empty());
    check(error.code == ErrorCode::invalid_argument || error.code == ErrorCode::too_large);
  }

  auto history = parse_get_messages(text, limits);
  if (auto* request = std::get_if<HistoryRequest>(&history)) {
    if (request->conversation_id) {
      check(request->conversation_id > 0 && request->other_user_id.empty());
    } else {
      check_user_id(request->other_user_id);
    }
    check(request->limit >= 1 && request->limit <= limits.max_page);
    check(!request->before || *request->before > 0);
  } else {
    check(std::get<ChatError>(history).code == ErrorCode::invalid_argument);
  }

  check_conversation_args(text);
  check_message_change_args(text, limits);
  token_of_auth(text);
  // The rewrite never grows a text beyond what its escapes and numbers can add, and what it
  // makes parses whenever the original did.
  std::string rewritten = rewrite_for_simdjson(text);
  check(rewritten.size() <= 2 * text.size() + 8);
  simdjson::dom::element doc;
  if (!parse_json(text, doc)) {
    simdjson::dom::element again;
    check(!parse_json(rewritten, again));
  }
  return 0;
}
