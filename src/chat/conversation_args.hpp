// The arguments of the conversation and read-state events (docs/api.md "Conversations and
// groups", "Read state"), from the client's JSON text to a validated request or the error to
// answer: pure, unit-tested (tests/unit/conversation_args_test.cpp) and fuzzed
// (tests/fuzz/fuzz_chat_args.cpp) like chat/args.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat/args.hpp"
#include "store/conversations.hpp"

namespace parley::chat {

struct ConversationLimits {
  std::size_t max_title_length = 100;     // characters
  std::size_t max_group_members = 1000;   // creator included (MAX_GROUP_MEMBERS)
  std::size_t default_list_page = 50;
  std::size_t max_list_page = 100;
};

struct CreateGroupRequest {
  std::string title;
  std::vector<std::string> member_ids;  // canonical, without duplicates (the creator may be among them)
};

struct ListRequestArgs {
  std::optional<std::pair<std::int64_t, std::int64_t>> after;  // decoded cursor
  std::size_t limit = 50;
};

struct ConversationRequest {  // get_conversation, leave_conversation, get_receipts
  std::int64_t conversation_id = 0;
};

struct RenameRequest {
  std::int64_t conversation_id = 0;
  std::string title;
};

struct AddMembersRequest {
  std::int64_t conversation_id = 0;
  std::vector<std::string> user_ids;
};

struct MemberRequest {  // remove_member, set_role
  std::int64_t conversation_id = 0;
  std::string user_id;
  store::Role role = store::Role::member;  // set_role only
};

struct MarkArgs {
  std::int64_t conversation_id = 0;
  std::int64_t seq = 0;  // >= 0
};

Parsed<CreateGroupRequest> parse_create_conversation(std::optional<std::string_view> arg, const ConversationLimits& limits);
Parsed<ListRequestArgs> parse_list_conversations(std::optional<std::string_view> arg, const ConversationLimits& limits);
Parsed<ConversationRequest> parse_conversation_request(std::optional<std::string_view> arg);
Parsed<RenameRequest> parse_update_conversation(std::optional<std::string_view> arg, const ConversationLimits& limits);
Parsed<AddMembersRequest> parse_add_members(std::optional<std::string_view> arg, const ConversationLimits& limits);
Parsed<MemberRequest> parse_remove_member(std::optional<std::string_view> arg);
Parsed<MemberRequest> parse_set_role(std::optional<std::string_view> arg);
Parsed<MarkArgs> parse_mark(std::optional<std::string_view> arg);

// list_conversations' cursor: opaque to clients ("<activity ms>.<id>" in base 10), or nullopt
// when it is not one this server wrote.
std::string encode_cursor(std::pair<std::int64_t, std::int64_t> position);
std::optional<std::pair<std::int64_t, std::int64_t>> decode_cursor(std::string_view cursor);

}  // namespace parley::chat
