// JSON string escaping compatible with JSON.stringify, and a splitter for validated arrays.
// Both run once per chat message, so they scan eight bytes at a time where they can.
#include "sio/json.hpp"

#include "util/utf8.hpp"

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace sio::json {
namespace {

constexpr uint64_t ones = 0x0101010101010101ULL;
constexpr uint64_t high_bits = 0x8080808080808080ULL;

// Non-zero iff some byte of `word` is zero.
constexpr uint64_t has_zero_byte(uint64_t word) { return (word - ones) & ~word & high_bits; }
// Non-zero iff some byte of `word` is below `n` (n <= 128).
constexpr uint64_t has_byte_below(uint64_t word, uint8_t n) {
  return (word - ones * n) & ~word & high_bits;
}

uint64_t load_word(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

// What JSON.stringify writes after the backslash for a byte, or 0 for a byte it copies.
constexpr std::array<char, 256> make_escapes() {
  std::array<char, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 'u';
  table['\b'] = 'b';
  table['\f'] = 'f';
  table['\n'] = 'n';
  table['\r'] = 'r';
  table['\t'] = 't';
  table['"'] = '"';
  table['\\'] = '\\';
  return table;
}
constexpr std::array<char, 256> escapes = make_escapes();

void append_escape(std::string& out, unsigned char c) {
  const char kind = escapes[c];
  if (kind != 'u') {
    const char pair[2] = {'\\', kind};
    out.append(pair, 2);
    return;
  }
  constexpr char hex[] = "0123456789abcdef";
  const char sequence[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
  out.append(sequence, 6);
}

// `s` is valid UTF-8: only ASCII bytes can need escaping.
void append_escaped_valid(std::string& out, std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  const char* run = p;  // start of the bytes not yet copied
  while (p < end) {
    if (end - p >= 8) {
      const uint64_t word = load_word(p);
      if (!(has_byte_below(word, 0x20) | has_zero_byte(word ^ (ones * '"')) |
            has_zero_byte(word ^ (ones * '\\')))) {
        p += 8;
        continue;
      }
    }
    const char* const stop = end - p >= 8 ? p + 8 : end;
    for (; p < stop; ++p) {
      const auto c = static_cast<unsigned char>(*p);
      if (escapes[c] != 0) {
        out.append(run, p);
        append_escape(out, c);
        run = p + 1;
      }
    }
  }
  out.append(run, end);
}

// Invalid UTF-8 is repaired first (U+FFFD, as Node's decoder does), so that our output is
// identical to a Node server's.
void append_escaped_repairing(std::string& out, std::string_view s) {
  std::string repaired;
  repaired.reserve(s.size() + 8);
  util::append_repaired_utf8(repaired, s);
  append_escaped_valid(out, repaired);
}

// Chat text is mostly ASCII; checking that is cheaper than a full UTF-8 validation call.
bool is_ascii(std::string_view s) {
  uint64_t seen = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) seen |= load_word(s.data() + i);
  for (; i < s.size(); ++i) seen |= static_cast<unsigned char>(s[i]);
  return (seen & high_bits) == 0;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && is_space(s[begin])) ++begin;
  while (end > begin && is_space(s[end - 1])) --end;
  return s.substr(begin, end - begin);
}

// Index just past the string whose opening quote is at `open`, or s.size() if unterminated.
size_t skip_string(std::string_view s, size_t open) {
  size_t from = open + 1;
  while (from < s.size()) {
    const void* hit = std::memchr(s.data() + from, '"', s.size() - from);
    if (hit == nullptr) break;
    const size_t quote = static_cast<size_t>(static_cast<const char*>(hit) - s.data());
    // The quote is escaped iff an odd run of backslashes precedes it.
    size_t backslashes = 0;
    while (quote - backslashes > open + 1 && s[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote + 1;
    from = quote + 1;
  }
  return s.size();
}

}  // namespace

void append_string(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  if (is_ascii(s) || simdjson::validate_utf8(s.data(), s.size())) {
    append_escaped_valid(out, s);
  } else {
    append_escaped_repairing(out, s);
  }
  out.push_back('"');
}

std::string quote(std::string_view s) {
  std::string out;
  append_string(out, s);
  return out;
}

bool split_array(std::string_view array_json, std::vector<std::string_view>& elements) {
  elements.clear();
  const std::string_view s = array_json;
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  if (i == s.size() || s[i] != '[') return false;
  ++i;
  size_t element_start = i;
  size_t depth = 0;  // nesting inside the current element
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      i = skip_string(s, i);
      continue;
    }
    if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (depth == 0) {
        const std::string_view last = trim(s.substr(element_start, i - element_start));
        if (!last.empty() || !elements.empty()) elements.push_back(last);
        return true;
      }
      --depth;
    } else if (c == ',' && depth == 0) {
      elements.push_back(trim(s.substr(element_start, i - element_start)));
      element_start = i + 1;
    }
    ++i;
  }
  return true;  // unterminated: not valid JSON, which the caller promised
}

}  // namespace sio::json
