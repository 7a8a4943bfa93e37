#include "chat/emoji.hpp"

#include <memory>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

namespace parley::chat {

namespace {

bool is_short_name(std::string_view text) {
  if (text.size() < 3 || text.size() > 34 || text.front() != ':' || text.back() != ':') return false;
  for (char c : text.substr(1, text.size() - 2)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Valid UTF-8 with no control or space character, and with something that makes it an emoji: a
// pictographic code point, a regional indicator (flags) or the keycap mark (1️⃣).
bool emoji_code_points(std::string_view text) {
  bool emoji = false;
  std::int32_t i = 0, length = static_cast<std::int32_t>(text.size());
  while (i < length) {
    UChar32 c;
    U8_NEXT(text.data(), i, length, c);
    if (c < 0) return false;
    if (u_charType(c) == U_CONTROL_CHAR || u_isUWhiteSpace(c)) return false;
    if (u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) || u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR) ||
        c == 0x20E3) {
      emoji = true;
    }
  }
  return emoji;
}

struct BreakCloser {
  void operator()(UBreakIterator* it) const { ubrk_close(it); }
};

// One grapheme cluster: the first character boundary after the start is the end.
bool one_grapheme(std::string_view text) {
  thread_local std::unique_ptr<UBreakIterator, BreakCloser> breaks;
  UErrorCode status = U_ZERO_ERROR;
  if (!breaks) {
    breaks.reset(ubrk_open(UBRK_CHARACTER, "", nullptr, 0, &status));
    if (U_FAILURE(status) || !breaks) {
      breaks.reset();
      return false;
    }
  }
  UText* utf8 = utext_openUTF8(nullptr, text.data(), static_cast<std::int64_t>(text.size()), &status);
  if (U_FAILURE(status)) return false;
  ubrk_setUText(breaks.get(), utf8, &status);
  bool one = false;
  if (U_SUCCESS(status)) {
    ubrk_first(breaks.get());
    one = ubrk_next(breaks.get()) == static_cast<std::int32_t>(text.size());
  }
  utext_close(utf8);
  return one;
}

}  // namespace

bool is_reaction_emoji(std::string_view text) {
  if (text.empty() || text.size() > max_emoji_bytes) return false;
  if (text.front() == ':') return is_short_name(text);
  return emoji_code_points(text) && one_grapheme(text);
}

}  // namespace parley::chat
