#include "chat/validation.hpp"

namespace parley::chat {

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string canonical_user_id(std::string_view id) {
  std::string out(id);
  if (!is_uuid(id)) return out;
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::size_t count_characters(std::string_view utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;  // count every byte that starts a character
  return n;
}

namespace {

// Decodes the code point at `i` (text known to be valid UTF-8) and advances `i`.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int extra = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
  char32_t cp = extra == 0 ? b : b & (0x3F >> extra);
  ++i;
  for (int k = 0; k < extra && i < s.size(); ++k, ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
  return cp;
}

bool is_space(char32_t c) {
  switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

}  // namespace

bool is_user_id(std::string_view s) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = next_code_point(s, i);
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFFFD) return false;
    if (++characters > max_user_id_characters) return false;
  }
  return characters > 0;
}

bool is_blank(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (!is_space(next_code_point(s, i))) return false;
  }
  return true;
}

std::optional<std::string> content_error(std::string_view content, std::size_t max_characters) {
  if (is_blank(content)) return "Message content cannot be empty";
  if (count_characters(content) > max_characters) {
    return "Message content too long (max " + std::to_string(max_characters) + " characters)";
  }
  return std::nullopt;
}

bool is_client_message_id(std::string_view text) {
  if (text.empty() || text.size() > max_client_message_id) return false;
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace parley::chat
