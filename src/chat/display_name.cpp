// Display names: trimmed, bounded, printable and visible. The character classes are the few
// that matter for "does this name show as anything": Unicode's White_Space set, the invisible
// format characters (general category Cf and the blank-looking letters that impersonation
// tricks use), and the combining-mark blocks a name could be built of without a base letter.
// Other scripts' marks count as visible: alone they still render (on a dotted circle).
#include "chat/display_name.hpp"

#include <simdjson.h>

#include <algorithm>
#include <iterator>
#include <vector>

namespace parley::chat {
namespace {

struct Range {
  char32_t first;
  char32_t last;
};

bool in(const Range* begin, const Range* end, char32_t c) {
  return std::any_of(begin, end, [c](const Range& r) { return c >= r.first && c <= r.last; });
}

// Unicode White_Space, plus U+FEFF, which JavaScript's trim() also removes.
constexpr Range white_space[] = {
    {0x0009, 0x000D}, {0x0020, 0x0020}, {0x0085, 0x0085}, {0x00A0, 0x00A0}, {0x1680, 0x1680},
    {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
    {0xFEFF, 0xFEFF},
};

// Characters that draw nothing: format characters (soft hyphen, zero-width space and joiners,
// direction marks and overrides, word joiner and invisible operators, the BOM, interlinear
// annotation, tags, variation selectors, the Mongolian vowel separator) and the letters that look
// blank (Hangul fillers, the blank Braille pattern, Khmer inherent vowels).
constexpr Range invisible[] = {
    {0x00AD, 0x00AD},   {0x034F, 0x034F},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x08E2, 0x08E2},   {0x115F, 0x1160},   {0x17B4, 0x17B5},   {0x180B, 0x180F},
    {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x206F},   {0x2800, 0x2800},   {0x3164, 0x3164},
    {0xFE00, 0xFE0F},   {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD},
    {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
};

// Combining marks that sit on a base letter in any script (diacritics, Hebrew and Arabic points,
// symbols' marks, half marks).
constexpr Range combining[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
    {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F}, {0x0670, 0x0670},
    {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF}, {0x20D0, 0x20FF}, {0xFE20, 0xFE2F},
};

bool is_white_space(char32_t c) { return in(std::begin(white_space), std::end(white_space), c); }

bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029; }

bool is_visible(char32_t c) {
  return !is_white_space(c) && !in(std::begin(invisible), std::end(invisible), c) &&
         !in(std::begin(combining), std::end(combining), c);
}

// The code points of text already known to be valid UTF-8, with where each starts.
struct CodePoint {
  char32_t value;
  std::size_t offset;
};
std::vector<CodePoint> decode(std::string_view s) {
  std::vector<CodePoint> out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const int extra = lead < 0x80 ? 0 : lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
    char32_t value = extra == 0 ? lead : lead & (0x3F >> extra);
    const std::size_t start = i++;
    for (int k = 0; k < extra && i < s.size(); ++k, ++i) value = (value << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    out.push_back({value, start});
  }
  return out;
}

}  // namespace

std::string_view describe(DisplayNameError error) {
  switch (error) {
    case DisplayNameError::empty: return "name must not be empty";
    case DisplayNameError::too_long: return "name must be at most 64 characters";
    case DisplayNameError::control_character: return "name must not contain control characters or line breaks";
    case DisplayNameError::invisible: return "name must have at least one visible character";
    case DisplayNameError::invalid_utf8: return "name must be valid UTF-8";
  }
  return "invalid name";
}

std::variant<std::string, DisplayNameError> normalize_display_name(std::string_view utf8) {
  if (!simdjson::validate_utf8(utf8.data(), utf8.size())) return DisplayNameError::invalid_utf8;
  const std::vector<CodePoint> points = decode(utf8);
  auto first = std::find_if(points.begin(), points.end(), [](const CodePoint& p) { return !is_white_space(p.value); });
  auto last = std::find_if(points.rbegin(), points.rend(), [](const CodePoint& p) { return !is_white_space(p.value); });
  if (first == points.end()) return DisplayNameError::empty;
  const auto end = last.base();  // one past the last non-space
  if (std::any_of(first, end, [](const CodePoint& p) { return is_control(p.value); })) {
    return DisplayNameError::control_character;
  }
  if (static_cast<std::size_t>(end - first) > max_display_name_characters) return DisplayNameError::too_long;
  if (std::none_of(first, end, [](const CodePoint& p) { return is_visible(p.value); })) return DisplayNameError::invisible;
  const std::size_t begin_byte = first->offset;
  const std::size_t end_byte = end == points.end() ? utf8.size() : end->offset;
  return std::string(utf8.substr(begin_byte, end_byte - begin_byte));
}

}  // namespace parley::chat
