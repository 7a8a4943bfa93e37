#include "util/utf8.hpp"

#include <simdjson.h>

namespace sio::util {

bool is_valid_utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

void append_repaired_utf8(std::string& out, std::string_view s) {
  static constexpr char replacement[] = "\xEF\xBF\xBD";
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    int needed = 0;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      needed = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      needed = 2;
      if (c == 0xE0) lower = 0xA0;
      if (c == 0xED) upper = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      needed = 3;
      if (c == 0xF0) lower = 0x90;
      if (c == 0xF4) upper = 0x8F;  // nothing above U+10FFFF
    } else {
      out.append(replacement, 3);
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    int seen = 0;
    while (seen < needed && j < n) {
      const auto b = static_cast<unsigned char>(s[j]);
      if (b < lower || b > upper) break;
      lower = 0x80;
      upper = 0xBF;
      ++seen;
      ++j;
    }
    if (seen == needed) {
      out.append(s.data() + i, j - i);
    } else {
      out.append(replacement, 3);
    }
    i = j;  // the byte that broke the sequence starts over
  }
}

}  // namespace sio::util
