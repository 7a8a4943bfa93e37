#include "chat/json_args.hpp"

namespace parley::chat {

namespace {

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

}  // namespace

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
      // The whole number: its integer digits, then any fraction and exponent (whose digits
      // are not integers of their own).
      bool negative = c == '-';
      std::size_t digits_start = negative ? i + 1 : i, end = digits_start;
      while (end < json.size() && json[end] >= '0' && json[end] <= '9') ++end;
      std::size_t digits_end = end;
      bool integer = true;
      if (end < json.size() && json[end] == '.') {
        integer = false;
        for (++end; end < json.size() && json[end] >= '0' && json[end] <= '9';) ++end;
      }
      if (end < json.size() && (json[end] == 'e' || json[end] == 'E')) {
        integer = false;
        ++end;
        if (end < json.size() && (json[end] == '+' || json[end] == '-')) ++end;
        while (end < json.size() && json[end] >= '0' && json[end] <= '9') ++end;
      }
      out.append(json.substr(i, end - i));
      if (integer && !fits_64_bits(json.substr(digits_start, digits_end - digits_start), negative)) out += ".0";
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

simdjson::error_code parse_json(std::string_view json, simdjson::dom::element& doc) {
  auto error = parser().parse(json.data(), json.size()).get(doc);
  if (error == simdjson::STRING_ERROR || error == simdjson::NUMBER_ERROR) {
    error = parser().parse(rewrite_for_simdjson(json)).get(doc);
  }
  return error;
}

std::optional<simdjson::dom::object> parse_object(std::string_view json) {
  simdjson::dom::element doc;
  if (parse_json(json, doc)) return std::nullopt;
  simdjson::dom::object object;
  if (doc.get(object)) return std::nullopt;
  return object;
}

std::optional<std::string_view> string_field(const simdjson::dom::object& object, std::string_view key) {
  std::string_view value;
  if (object[key].get(value)) return std::nullopt;
  return value;
}

std::optional<simdjson::dom::element> present_field(const simdjson::dom::object& object, std::string_view key) {
  simdjson::dom::element element;
  if (object[key].get(element) || element.is_null()) return std::nullopt;
  return element;
}

}  // namespace parley::chat
