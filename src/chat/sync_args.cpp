#include "chat/sync_args.hpp"

#include <charconv>

#include "chat/arg_fields.hpp"
#include "chat/json_args.hpp"

namespace parley::chat {

namespace {

std::optional<std::int64_t> positive_decimal(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.size() > 19 || text.front() == '0') return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace

std::string encode_sync_cursor(std::int64_t after) { return std::to_string(after); }

std::optional<std::int64_t> decode_sync_cursor(std::string_view cursor) { return positive_decimal(cursor); }

Parsed<SyncArgs> parse_sync(std::optional<std::string_view> arg, const SyncLimits& limits) {
  SyncArgs request;
  request.limit = limits.default_limit;
  if (!arg) return request;  // no argument: everything, first page
  auto data = parse_object(*arg);
  if (!data) return invalid_argument("Invalid arguments");
  if (auto conversations = present_field(*data, "conversations")) {
    simdjson::dom::object known;
    if (conversations->get(known)) return invalid_argument("Invalid conversations");
    if (known.size() > limits.max_known) {
      return invalid_argument("Too many conversations (max " + std::to_string(limits.max_known) + ")");
    }
    for (auto [key, value] : known) {
      auto id = positive_decimal(key);
      std::int64_t seq = -1;
      if (!id || value.get(seq) || seq < 0) return invalid_argument("Invalid conversations");
      if (!request.known.emplace(*id, seq).second) return invalid_argument("Invalid conversations");
    }
  }
  auto limit = positive_field(*data, "limit");
  if (limit == -1 || (limit && static_cast<std::size_t>(*limit) > limits.max_limit)) {
    return invalid_argument("Invalid limit (1 to " + std::to_string(limits.max_limit) + ")");
  }
  if (limit) request.limit = static_cast<std::size_t>(*limit);
  if (auto before = present_field(*data, "before")) {
    std::string_view text;
    if (before->get(text)) return invalid_argument("Invalid before");
    auto after = decode_sync_cursor(text);
    if (!after) return invalid_argument("Invalid before");
    request.after = *after;
  }
  return request;
}

}  // namespace parley::chat
