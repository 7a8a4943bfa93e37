// Socket.IO v5 packet codec. Decoding follows socket.io-parser 4.2.7's decodeString and
// isPayloadValid step by step, so that a packet the Node server would refuse is refused here
// too. Deliberately stricter: counts and ids are plain decimal digits (Node's Number() also
// takes " 1" or "1e1"), an EVENT or ACK must carry its array, an empty packet is an error (Node
// reads "" as CONNECT), ack ids stop at 2^53 - 1, JSON nests at most limits.max_depth deep, and
// numbers beyond a double's range (JSON.parse: Infinity) are refused.
#include "sio/socketio/packet.hpp"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <new>

#include "sio/json.hpp"

namespace sio::socketio {
namespace {

// Ack ids travel as JavaScript numbers; beyond this they lose precision on the client.
constexpr uint64_t max_ack_id = (uint64_t{1} << 53) - 1;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The event names socket.io reserves for itself; a client may not emit them.
bool is_reserved_event(std::string_view name) {
  static constexpr std::array<std::string_view, 6> reserved = {
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
  for (const auto r : reserved) {
    if (name == r) return true;
  }
  return false;
}

bool is_number(const simdjson::dom::element& e) {
  const auto t = e.type();
  return t == simdjson::dom::element_type::INT64 || t == simdjson::dom::element_type::UINT64 ||
         t == simdjson::dom::element_type::DOUBLE;
}

// A placeholder's index, or nullopt when it is no uint32_t. JavaScript has one number type,
// so 1.0 and 1e0 are the index 1 there; 0.5 is no index (Node would hand the handler
// `undefined`, we refuse it).
std::optional<uint32_t> placeholder_number(const simdjson::dom::element& num) {
  constexpr uint64_t limit = UINT32_MAX;
  int64_t signed_value = 0;
  uint64_t unsigned_value = 0;
  double double_value = 0;
  if (num.get_int64().get(signed_value) == simdjson::SUCCESS) {
    if (signed_value >= 0 && static_cast<uint64_t>(signed_value) <= limit) {
      return static_cast<uint32_t>(signed_value);
    }
  } else if (num.get_uint64().get(unsigned_value) == simdjson::SUCCESS) {
    if (unsigned_value <= limit) return static_cast<uint32_t>(unsigned_value);
  } else if (num.get_double().get(double_value) == simdjson::SUCCESS) {
    if (double_value >= 0 && double_value <= static_cast<double>(limit) &&
        static_cast<double>(static_cast<uint64_t>(double_value)) == double_value) {
      return static_cast<uint32_t>(double_value);
    }
  }
  return std::nullopt;
}

// Reads a {"_placeholder": true, "num": N} object the way JSON.parse and the Node parser's
// reconstruction would: the last of duplicate keys wins. nullopt in `index` when the object
// is a placeholder with an unusable number.
bool read_placeholder(const simdjson::dom::object& object, std::optional<uint32_t>& index) {
  bool is_placeholder = false;
  index.reset();
  for (const auto field : object) {
    if (field.key == "_placeholder") {
      bool flag = false;
      is_placeholder = field.value.get_bool().get(flag) == simdjson::SUCCESS && flag;
    } else if (field.key == "num") {
      index = placeholder_number(field.value);
    }
  }
  return is_placeholder;
}

// Every object marked {"_placeholder": true} must point at one of the attachments. The walk
// cannot recurse deeper than the parser's depth limit.
bool placeholders_valid(const simdjson::dom::element& e, uint32_t attachments) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY:
      for (const auto child : simdjson::dom::array(e)) {
        if (!placeholders_valid(child, attachments)) return false;
      }
      return true;
    case simdjson::dom::element_type::OBJECT: {
      const simdjson::dom::object object(e);
      std::optional<uint32_t> index;
      if (read_placeholder(object, index)) return index && *index < attachments;
      for (const auto field : object) {
        if (!placeholders_valid(field.value, attachments)) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The UTF-16 unit of the four hex digits at `at`, or -1.
int32_t utf16_unit(std::string_view s, size_t at) {
  if (at + 4 > s.size()) return -1;
  int32_t unit = 0;
  for (size_t k = at; k < at + 4; ++k) {
    const int digit = hex_value(s[k]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

bool is_high_surrogate(int32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool is_low_surrogate(int32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

// Whether the decimal integer `digits` (no sign, no leading zero) fits simdjson's int64/uint64.
bool fits_64_bits(std::string_view digits, bool negative) {
  const std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
  return digits.size() < limit.size() || (digits.size() == limit.size() && digits <= limit);
}

// simdjson refuses two things that JSON's grammar and JSON.parse accept: escapes of lone UTF-16
// surrogates ("\ud83d" from a string cut in the middle of an emoji) and integers beyond 64 bits
// (JSON.stringify writes 2e20 as 200000000000000000000). Copies `json` into `out` with those
// rewritten as "\ufffd" and "1e00..19" (>= 2^32, so never a placeholder index), of the same
// lengths, and says whether it rewrote anything. Only the error path calls this.
bool rewrite_for_simdjson(std::string_view json, std::string& out) {
  out.assign(json);
  bool rewritten = false;
  const size_t n = out.size();
  size_t i = 0;
  while (i < n) {
    const char c = out[i];
    if (c == '"') {
      for (++i; i < n && out[i] != '"';) {
        if (out[i] != '\\') {
          ++i;
        } else if (i + 1 < n && out[i + 1] == 'u') {
          const int32_t unit = utf16_unit(out, i + 2);
          const bool paired = is_high_surrogate(unit) && i + 7 < n && out[i + 6] == '\\' &&
                              out[i + 7] == 'u' && is_low_surrogate(utf16_unit(out, i + 8));
          if (paired) {
            i += 12;
          } else {
            if (is_high_surrogate(unit) || is_low_surrogate(unit)) {
              out.replace(i + 2, 4, "fffd");
              rewritten = true;
            }
            i += 6;
          }
        } else {
          i += 2;
        }
      }
      ++i;
    } else if (c == '-' || is_digit(c)) {
      const bool negative = c == '-';
      const size_t digits_start = negative ? i + 1 : i;
      size_t end = digits_start;
      while (end < n && is_digit(out[end])) ++end;
      const std::string_view digits = std::string_view(out).substr(digits_start, end - digits_start);
      const bool integer = end == n || (out[end] != '.' && out[end] != 'e' && out[end] != 'E');
      if (integer && !digits.empty() && digits[0] != '0' && !fits_64_bits(digits, negative)) {
        std::string replacement = "1e";
        replacement.append(digits.size() - 4, '0');
        replacement.append("19");
        out.replace(digits_start, digits.size(), replacement);
        rewritten = true;
      }
      i = end;
    } else {
      ++i;
    }
  }
  return rewritten;
}

void append_decimal(uint64_t value, std::string& out) {
  char digits[20];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

}  // namespace

const char* to_string(DecodeError error) noexcept {
  switch (error) {
    case DecodeError::none: return "none";
    case DecodeError::empty: return "empty packet";
    case DecodeError::unknown_type: return "unknown packet type";
    case DecodeError::bad_attachments: return "illegal attachments";
    case DecodeError::too_many_attachments: return "too many attachments";
    case DecodeError::bad_namespace: return "namespace too long";
    case DecodeError::bad_id: return "invalid ack id";
    case DecodeError::bad_json: return "invalid JSON payload";
    case DecodeError::too_deep: return "payload nested too deeply";
    case DecodeError::invalid_payload: return "invalid payload";
    case DecodeError::bad_placeholder: return "illegal attachments";
  }
  return "unknown error";
}

PacketDecoder::PacketDecoder(DecodeLimits limits)
    : limits_(limits), parser_(new simdjson::dom::parser()) {
  // Sized for a typical chat event; simdjson grows the buffers (keeping the depth) as needed.
  // simdjson counts the document itself as a level (`[[1]]` needs max_depth 3), hence the + 1:
  // our limit is the number of nested arrays and objects.
  if (parser_->allocate(4096, size_t{limits_.max_depth} + 1) != simdjson::SUCCESS) {
    delete parser_;
    throw std::bad_alloc();
  }
}

PacketDecoder::~PacketDecoder() { delete parser_; }

DecodeError PacketDecoder::decode(std::string_view text, PacketView& out) {
  out.type = PacketType::event;
  out.nsp = "/";
  out.id.reset();
  out.attachments = 0;
  out.payload = {};
  out.event.clear();
  out.args.clear();

  const size_t n = text.size();
  if (n == 0) return DecodeError::empty;
  if (text[0] < '0' || text[0] > '6') return DecodeError::unknown_type;
  out.type = static_cast<PacketType>(text[0]);
  size_t i = 1;

  if (is_binary(out.type)) {
    const size_t start = i;
    uint64_t count = 0;
    for (; i < n && is_digit(text[i]); ++i) {
      if (count <= limits_.max_attachments) count = count * 10 + static_cast<uint64_t>(text[i] - '0');
    }
    // socket.io-parser 4.2.7 refuses a count of zero: a binary packet without binary is forged.
    if (i == start || i == n || text[i] != '-' || count == 0) return DecodeError::bad_attachments;
    if (count > limits_.max_attachments) return DecodeError::too_many_attachments;
    out.attachments = static_cast<uint32_t>(count);
    ++i;
  }

  if (i < n && text[i] == '/') {
    const size_t comma = text.find(',', i);
    const size_t end = comma == std::string_view::npos ? n : comma;
    out.nsp = text.substr(i, end - i);
    if (out.nsp.size() > limits_.max_namespace_length) return DecodeError::bad_namespace;
    i = comma == std::string_view::npos ? n : comma + 1;
  }

  if (i < n && is_digit(text[i])) {
    uint64_t id = 0;
    for (; i < n && is_digit(text[i]); ++i) {
      id = id * 10 + static_cast<uint64_t>(text[i] - '0');
      if (id > max_ack_id) return DecodeError::bad_id;
    }
    out.id = id;
  }

  const bool has_payload = i < n;
  simdjson::dom::element root;
  if (has_payload) {
    out.payload = text.substr(i);
    auto error = parser_->parse(out.payload.data(), out.payload.size(), true).get(root);
    if (error == simdjson::STRING_ERROR || error == simdjson::NUMBER_ERROR) {
      // Perhaps JSON that only simdjson refuses; `args` still view the original text.
      std::string rewritten;
      if (rewrite_for_simdjson(out.payload, rewritten)) error = parser_->parse(rewritten).get(root);
    }
    if (error == simdjson::DEPTH_ERROR) return DecodeError::too_deep;
    if (error != simdjson::SUCCESS) return DecodeError::bad_json;
  }

  switch (out.type) {
    case PacketType::connect:
      if (has_payload && !root.is_object()) return DecodeError::invalid_payload;
      return DecodeError::none;
    case PacketType::disconnect:
      return has_payload ? DecodeError::invalid_payload : DecodeError::none;
    case PacketType::connect_error:
      if (has_payload && !root.is_string() && !root.is_object()) return DecodeError::invalid_payload;
      return DecodeError::none;
    case PacketType::event:
    case PacketType::binary_event: {
      simdjson::dom::array array;
      if (!has_payload || root.get_array().get(array) != simdjson::SUCCESS) {
        return DecodeError::invalid_payload;
      }
      const auto first_it = array.begin();
      if (first_it == array.end()) return DecodeError::invalid_payload;
      const simdjson::dom::element first = *first_it;
      std::string_view name;
      const bool named_by_number = is_number(first);
      if (first.get_string().get(name) == simdjson::SUCCESS) {
        if (is_reserved_event(name)) return DecodeError::invalid_payload;
        out.event.assign(name);
      } else if (!named_by_number) {
        return DecodeError::invalid_payload;
      }
      if (is_binary(out.type) && !placeholders_valid(root, out.attachments)) {
        return DecodeError::bad_placeholder;
      }
      json::split_array(out.payload, out.args);
      if (named_by_number) out.event.assign(out.args.front());  // its JSON text, e.g. "1.50"
      out.args.erase(out.args.begin());
      return DecodeError::none;
    }
    case PacketType::ack:
    case PacketType::binary_ack:
      if (!has_payload || !root.is_array()) return DecodeError::invalid_payload;
      if (is_binary(out.type) && !placeholders_valid(root, out.attachments)) {
        return DecodeError::bad_placeholder;
      }
      json::split_array(out.payload, out.args);
      return DecodeError::none;
  }
  return DecodeError::unknown_type;
}

void append_header(PacketType type, std::string_view nsp, std::optional<uint64_t> id,
                   uint32_t attachments, std::string& out) {
  out.push_back(static_cast<char>(type));
  if (is_binary(type)) {
    append_decimal(attachments, out);
    out.push_back('-');
  }
  if (!nsp.empty() && nsp != "/") {
    out.append(nsp);
    out.push_back(',');
  }
  if (id) append_decimal(*id, out);
}

void encode(const OutPacket& packet, std::string& out) {
  out.reserve(out.size() + 16 + packet.nsp.size() + packet.payload.size());
  append_header(packet.type, packet.nsp, packet.id, packet.attachments, out);
  out.append(packet.payload);
}

std::optional<uint32_t> placeholder_index(std::string_view arg) {
  size_t start = 0;
  while (start < arg.size() && (arg[start] == ' ' || arg[start] == '\t' || arg[start] == '\n' ||
                                arg[start] == '\r')) {
    ++start;
  }
  if (start == arg.size() || arg[start] != '{') return std::nullopt;  // the common case: no object
  // Cheap refusal of ordinary objects: a "_placeholder" key is spelled out or uses escapes.
  if (arg.find("placeholder") == std::string_view::npos &&
      arg.find('\\') == std::string_view::npos) {
    return std::nullopt;
  }

  // Arguments of binary events are few; one parser per thread serves them all.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(arg.data(), arg.size(), true).get(object) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  std::optional<uint32_t> index;
  if (!read_placeholder(object, index)) return std::nullopt;
  return index;
}

}  // namespace sio::socketio
