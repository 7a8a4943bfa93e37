// libFuzzer target for the chat's handling of untrusted event arguments (chat/args.hpp): the
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // A small content limit, so that both sides of it are reached.
  const ArgLimits limits{.max_message_length = 16, .default_page = 100, .max_page = 200};

  auto send = parse_send_message(text, limits);
  if (auto* request = std::get_if<SendRequest>(&send)) {
    check_user_id(request->receiver_id);
    check(!is_blank(request->content));
    check(count_characters(request->content) <= limits.max_message_length);
    check(request->client_message_id.empty() || is_client_message_id(request->client_message_id));
  } else {
    const auto& error = std::get<ChatError>(send);
    check(!error.message.empty());
    check(error.code == ErrorCode::invalid_argument || error.code == ErrorCode::too_large);
  }

  auto history = parse_get_messages(text, limits);
  if (auto* request = std::get_if<HistoryRequest>(&history)) {
    check_user_id(request->other_user_id);
    check(request->limit >= 1 && request->limit <= limits.max_page);
    check(!request->before || *request->before > 0);
  } else {
    check(std::get<ChatError>(history).code == ErrorCode::invalid_argument);
  }

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
